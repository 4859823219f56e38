// esbuild plugin shared by the bundles (esbuild.config.mjs) and the standalone binaries
// (hack/dist/bundle.mjs): every `import 'string-width'` (yargs, cliui, wrap-ansi, cli-table3)
// gets a front that answers printable ASCII, with chalk's colour codes removed, itself, and
// loads the real string-width of that importer only for other text.
//
// Why: string-width 7 and 8 build an Intl.Segmenter and Unicode-property regular expressions
// when they are evaluated, which is about 20 ms of every command's start-up although the
// tables, help and status lines they measure are ASCII. The answer is the same: string-width
// strips ANSI escapes and counts every printable ASCII character as one column.
const NAMESPACE = 'switchyard-string-width';

const body = `
const sgr = /\\x1b\\[[0-9;]*m/g;
const printable = /^[\\x20-\\x7e]*$/;
let real;
function stringWidth(string, options) {
  if (typeof string === 'string') {
    const plain = options?.countAnsiEscapeCodes === true ? string : string.replace(sgr, '');
    if (printable.test(plain)) return plain.length;
  }
  real ??= require('string-width');
  return (real.default ?? real)(string, options);
}
`;
/** The front as its importer expects it: an ES module's default export, or CommonJS's module.exports (cli-table3). */
const front = (kind) => `${body}\n${kind === 'cjs' ? 'module.exports = stringWidth;' : 'export default stringWidth;'}\n`;

export const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, (args) => {
      // The front's own require goes to the real package, resolved from the original importer.
      if (args.pluginData?.real === true) return undefined;
      const kind = args.kind === 'require-call' ? 'cjs' : 'esm';
      return { path: `${args.resolveDir}?${kind}`, namespace: NAMESPACE };
    });
    b.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: front(args.path.endsWith('?cjs') ? 'cjs' : 'esm'),
      loader: 'js',
      resolveDir: args.path.replace(/\?(cjs|esm)$/, ''),
      pluginData: { real: true },
    }));
  },
};
