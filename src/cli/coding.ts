import { coding, codingText } from '../records/coding.js';
import { recordsCommand } from './records-command.js';

export const codingCommand = recordsCommand('coding', 'CPT codes for a procedure record (localization devices, image-guided biopsy); a coder must confirm',
  coding, codingText);
