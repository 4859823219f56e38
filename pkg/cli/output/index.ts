/**
 * How switchyard prints: human views (status, list, history), `-o json|yaml|name`,
 * the colour decision and the live view of `status -w` / `run --wait`.
 * See docs/output.md.
 */
export { canAnimate, colorEnabled, createStyle, styleFor } from './style.ts';
export type { ColorSettings, Style, Terminal } from './style.ts';
export { renderStatus } from './status.ts';
export type { StatusOptions } from './status.ts';
export { noRolloutsFound, renderList } from './list.ts';
export type { ListOptions } from './list.ts';
export { historyMessage, noHistoryFound, renderHistory } from './history.ts';
export { API_VERSION, formatOutput, isOutputFormat, outputFormats, parseOutputFormat, toDocument } from './structured.ts';
export type { OutputFormat, RolloutHistoryDocument, RolloutStatusDocument, RolloutStatusListDocument } from './structured.ts';
export { renderVersions } from './versions.ts';
export type { VersionServices } from './versions.ts';
export { LiveView } from './live.ts';
export type { LiveStream, LiveViewOptions } from './live.ts';
