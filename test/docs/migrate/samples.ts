// The code samples of a docs page, read from the page itself so the two cannot drift apart: every ```ts block
// names its file on its first line (`// after.ts — reauth`), is type-checked with the page's other blocks as one
// app against the real packages, and can be run as written, its imports answered by the test. Like every docs
// sample, a block may use the names the docs share without importing them (docs/samples.d.ts: `session`, `api`,
// `openLoginModal`); here they are the ones the page's after.ts makes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** A page's samples, by the file name each one gives itself. */
export type Samples = Record<string, string>;

/**
 * Reads the code blocks of a page (a path from the repository's root). Every fenced block is either `sh` (a shell
 * command) or `ts` with its file name on its first line: a block that could escape the checks is an error.
 */
export function readSamples(page: string): Samples {
  const lines = readFileSync(`${root}${page}`, 'utf8').split('\n');
  const samples: Samples = {};
  let block: { lang: string; line: number; body: string[] } | undefined;
  for (const [index, line] of lines.entries()) {
    const fence = /^```(.*)$/.exec(line);
    if (!fence) {
      block?.body.push(line);
      continue;
    }
    if (!block) {
      block = { lang: fence[1]?.trim() ?? '', line: index + 1, body: [] };
      continue;
    }
    const { lang, body } = block;
    block = undefined;
    if (lang === 'sh') continue;
    const name = /^\/\/ ([\w.-]+\.ts)\b/.exec(body[0] ?? '')?.[1];
    if (lang !== 'ts' || !name) {
      throw new Error(
        `${page}:${index + 1}: a code block that no test checks (\`${lang}\`): use \`sh\`, or \`ts\` with its file name on its first line (// name.ts — …)`,
      );
    }
    if (name in samples) throw new Error(`${page}: two blocks named ${name}`);
    samples[name] = `${body.join('\n')}\n`;
  }
  if (block) throw new Error(`${page}:${block.line}: a code block that is never closed`);
  return samples;
}

/** The names the docs' samples use without importing them, as docs/samples.d.ts declares them. */
const SHARED = `
declare const session: import('@reauth/core').Session;
declare const api: import('axios').AxiosInstance;
declare function openLoginModal(options: {
  signal: AbortSignal;
}): Promise<{ username: string; password: string } | null>;
`;

/** Compiler diagnostics of one file: their codes, and the formatted text ('' when there is none). */
export interface FileErrors {
  codes: number[];
  text: string;
}

/**
 * Type-checks the files (name → source) as one browser app's modules, in a folder `docs/migrate/<app>/` of the
 * repository (so `axios`, `axios-auth-refresh` and `axios-jwt` resolve from its node_modules), with the
 * repository's strict compiler options, the DOM library, `@reauth/*` as the workspace's sources and the docs'
 * shared names declared.
 */
export function typeErrors(app: string, files: Record<string, string>): Record<string, FileErrors> {
  const dir = `${root}docs/migrate/${app}/`;
  const sources = Object.fromEntries(
    Object.entries({ ...files, 'shared.d.ts': SHARED }).map(([name, source]) => [`${dir}${name}`, source]),
  );
  const reauthPaths = Object.fromEntries(
    ['core', 'axios'].map((name) => [`@reauth/${name}`, [`${root}packages/${name}/src/index.ts`]]),
  );
  const config = ts.parseJsonConfigFileContent(
    {
      extends: `${root}tsconfig.base.json`,
      compilerOptions: { noEmit: true, types: [], paths: reauthPaths },
      files: Object.keys(sources),
    },
    ts.sys,
    dir,
  );
  if (config.errors.length > 0) {
    throw new Error(
      config.errors.map((error) => ts.flattenDiagnosticMessageText(error.messageText, '\n')).join('\n'),
    );
  }
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.directoryExists = (name) => `${name}/` === dir || ts.sys.directoryExists(name);
  host.fileExists = (name) => name in sources || ts.sys.fileExists(name);
  host.readFile = (name) => sources[name] ?? ts.sys.readFile(name);
  host.getSourceFile = (name, language, ...rest) => {
    const source = sources[name];
    return source === undefined
      ? getSourceFile(name, language, ...rest)
      : ts.createSourceFile(name, source, language);
  };
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
  const format: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  };
  return Object.fromEntries(
    Object.keys(files).map((name) => {
      const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(`${dir}${name}`));
      return [
        name,
        { codes: diagnostics.map((d) => d.code), text: ts.formatDiagnostics(diagnostics, format) },
      ];
    }),
  );
}

/** An ES module's namespace as CommonJS sees a transpiled ES module. */
export const esm = (namespace: object): object => ({ __esModule: true, ...namespace });

/**
 * Runs a page's samples as modules: `load('after.ts')` transpiles that block as written, with every occurrence of
 * `rewrite`'s keys replaced (the example origin by the test server's), and runs it once, its imports answered by
 * `modules`. A block that uses the names the docs' samples share without importing them (`session`, `api`, …)
 * is given them by the second argument of its first load. Returns the block's exports.
 */
export function moduleLoader(
  samples: Samples,
  modules: Record<string, object>,
  rewrite: Record<string, string> = {},
): (file: string, shared?: Record<string, unknown>) => Record<string, unknown> {
  const loaded = new Map<string, Record<string, unknown>>();
  return (file, shared = {}) => {
    const done = loaded.get(file);
    if (done) return done;
    let source = samples[file];
    if (source === undefined) throw new Error(`the page has no sample named ${file}`);
    for (const [from, to] of Object.entries(rewrite)) source = source.replaceAll(from, to);
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    const exports: Record<string, unknown> = {};
    loaded.set(file, exports);
    const require = (name: string) => {
      const found = modules[name];
      if (!found) throw new Error(`${file} imports ${name}, which this test does not provide`);
      return found;
    };
    const names = Object.keys(shared);
    new Function('require', 'exports', ...names, outputText)(
      require,
      exports,
      ...names.map((name) => shared[name]),
    );
    return exports;
  };
}
