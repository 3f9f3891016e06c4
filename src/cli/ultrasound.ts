import { ultrasound, ultrasoundText } from '../records/ultrasound.js';
import { recordsCommand } from './records-command.js';

export const ultrasoundCommand = recordsCommand('ultrasound', 'ultrasound clock-face annotation from a position relative to the nipple, and back',
  ultrasound, ultrasoundText);
