import { appropriateness, appropriatenessText } from '../records/appropriateness.js';
import { recordsCommand } from './records-command.js';

export const appropriatenessCommand = recordsCommand('appropriateness', 'ACR appropriateness ratings for breast microcalcifications by variant, morphology and distribution',
  appropriateness, appropriatenessText);
