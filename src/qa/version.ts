/** The package version, stored with every QA result and session. */
import { version } from '../../package.json';

export const STEREOTAX_VERSION: string = version;
