// kubectl bluegreen as the CommonJS script dist/kubectl-bluegreen runs from a V8 code cache (pkg/cli/plugin-entry.ts).
import { PLUGINS } from '../../pkg/cli/entry.ts';
import { pluginEntry } from '../../pkg/cli/plugin-entry.ts';

export const { run, warmUp } = pluginEntry(PLUGINS.bluegreen);
