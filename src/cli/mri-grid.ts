import { mriGrid, mriGridText } from '../records/mri-grid.js';
import { recordsCommand } from './records-command.js';

export const mriGridCommand = recordsCommand('mri-grid', 'MRI-guided grid localization: square, block hole, depth setting, residual, approach, MRI device check',
  mriGrid, mriGridText);
