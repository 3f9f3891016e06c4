import { axillary, axillaryText } from '../records/axillary.js';
import { recordsCommand } from './records-command.js';

export const axillaryCommand = recordsCommand('axillary', 'targeted axillary dissection: clipped-node localization plan and reconciliation at surgery',
  axillary, axillaryText);
