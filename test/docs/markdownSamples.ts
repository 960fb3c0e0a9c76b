// The ```ts / ```tsx samples of the documentation, read from the pages themselves, and a type-checker that
// compiles them against the workspace's packages. The conventions (see docs/contributing.md):
// - every block is a module of its own; `docs/samples.d.ts` declares the few variables they share (`session`,
//   `api`, …);
// - a block whose first line is `// name.ts` or `// name.tsx` is that file: its page's other blocks import it
//   (`./name`); a relative import that is no block of the page resolves to test/docs/fixtures/;
// - `<!-- sample: skip — reason -->` right before a block leaves it out, saying why;
// - `<!-- sample: runs in <file> -->` right before a block says that file runs it as written.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** What a marker comment before a block says about it. */
export type Marker = { kind: 'skip'; reason: string } | { kind: 'runs'; file: string };

export interface Sample {
  /** The page, from the repository's root: `docs/guide/axios.md`. */
  page: string;
  /** The line of the page where the code starts (the line after the fence). */
  line: number;
  lang: 'ts' | 'tsx';
  code: string;
  /** The file the block says it is (`main.tsx`), if its first line names one. */
  name: string | undefined;
  marker: Marker | undefined;
}

const CHECKED_LANGS: Record<string, Sample['lang']> = { ts: 'ts', typescript: 'ts', tsx: 'tsx' };
const MARKER = /^<!--\s*sample:\s*(.*?)\s*-->$/;
const NAME = /^\/\/ ([\w.-]+\.tsx?)\b/;

/** Parses `<!-- sample: … -->`; a marker that says something else is an error, not a silent pass. */
function parseMarker(text: string, where: string): Marker {
  const skip = /^skip\s*[—–-]\s*(.+)$/.exec(text);
  if (skip?.[1]) return { kind: 'skip', reason: skip[1] };
  const runs = /^runs in (\S+)$/.exec(text);
  if (runs?.[1]) return { kind: 'runs', file: runs[1] };
  throw new Error(
    `${where}: a sample marker says "${text}"; write "<!-- sample: skip — <reason> -->" or "<!-- sample: runs in <file> -->"`,
  );
}

/** The TypeScript blocks of one page (a path from the repository's root). */
export function readSamples(page: string, text = readFileSync(join(root, page), 'utf8')): Sample[] {
  const lines = text.split('\n');
  const samples: Sample[] = [];
  let previous = ''; // the last non-blank line outside a block
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const open = /^( *)(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (!open) {
      const marker = MARKER.exec(line.trim());
      if (line.trim().startsWith('<!-- sample') && !marker) {
        throw new Error(`${page}:${index + 1}: a sample marker that does not parse: ${line.trim()}`);
      }
      if (line.trim()) previous = line.trim();
      continue;
    }
    const [, indent = '', fence = '', lang = ''] = open;
    const body: string[] = [];
    const start = index + 1;
    for (index++; index < lines.length; index++) {
      const inner = lines[index] ?? '';
      if (inner.trim().startsWith(fence) && /^[`~]+$/.test(inner.trim())) break;
      body.push(inner.startsWith(indent) ? inner.slice(indent.length) : inner.trimStart());
    }
    if (index >= lines.length) throw new Error(`${page}:${start}: a code block that is never closed`);
    const checked = CHECKED_LANGS[lang];
    const markerText = MARKER.exec(previous)?.[1];
    const where = `${page}:${start}`;
    previous = '';
    if (!checked) {
      if (markerText !== undefined) throw new Error(`${where}: a sample marker before a \`${lang}\` block`);
      continue;
    }
    samples.push({
      page,
      line: start + 1,
      lang: checked,
      code: `${body.join('\n')}\n`,
      name: NAME.exec(body[0] ?? '')?.[1],
      marker: markerText === undefined ? undefined : parseMarker(markerText, where),
    });
  }
  return samples;
}

/** Every page whose samples are checked: README.md, the package READMEs, docs/**\/*.md (docs/api is generated). */
export function documentationPages(): string[] {
  const docs: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules' && path !== 'docs/api') walk(path);
      } else if (entry.name.endsWith('.md')) docs.push(path);
    }
  };
  walk('docs');
  const packages = readdirSync(join(root, 'packages'))
    .filter((name) => existsSync(join(root, 'packages', name, 'README.md')))
    .map((name) => `packages/${name}/README.md`);
  return ['README.md', ...packages.sort(), ...docs.sort()];
}

/** Where a page's blocks live for the compiler: a folder of their own under test/docs/. */
const pageDir = (page: string) =>
  join(root, 'test/docs/.samples', page.replace(/\.md$/, '').replaceAll('/', '__'));
const fixtures = join(root, 'test/docs/fixtures');

/** The virtual file of each sample, by path. */
function virtualFiles(samples: readonly Sample[]): Map<string, Sample> {
  const files = new Map<string, Sample>();
  for (const sample of samples) {
    const file = join(pageDir(sample.page), sample.name ?? `line-${sample.line}.${sample.lang}`);
    if (files.has(file))
      throw new Error(`${sample.page}:${sample.line}: two blocks of the page are ${sample.name}`);
    files.set(file, sample);
  }
  return files;
}

/** The repository's compiler options, `@reauth/*` as the workspace's sources, every file a module. */
function compilerOptions(): ts.CompilerOptions {
  const configFile = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const config = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  return { ...config.options, noEmit: true, moduleDetection: ts.ModuleDetectionKind.Force };
}

export interface SampleError {
  /** `page:line:column` of the error in the documentation. */
  at: string;
  code: number;
  message: string;
}

/**
 * Type-checks the samples as one program, with docs/samples.d.ts; answers every error, placed in its page.
 * `oldProgram` makes a second check of nearly the same samples cheap.
 */
export function typeCheck(
  samples: readonly Sample[],
  oldProgram?: ts.Program,
): { errors: SampleError[]; program: ts.Program } {
  const files = virtualFiles(samples);
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (name) => files.has(name) || ts.sys.fileExists(name);
  host.readFile = (name) => files.get(name)?.code ?? ts.sys.readFile(name);
  host.directoryExists = (name) =>
    [...files.keys()].some((file) => file.startsWith(`${name}/`)) || ts.sys.directoryExists(name);
  host.getSourceFile = (name, language, ...rest) => {
    const sample = files.get(name);
    return sample
      ? ts.createSourceFile(name, sample.code, language, true)
      : getSourceFile(name, language, ...rest);
  };
  const cache = ts.createModuleResolutionCache(root, (name) => name, options);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, resolveOptions) =>
    literals.map((literal) => {
      const specifier = literal.text;
      const sample = files.get(containingFile);
      if (sample && specifier.startsWith('./')) {
        // A block of the same page first, else a fixture.
        for (const ext of ['.ts', '.tsx']) {
          const sibling = join(pageDir(sample.page), `${specifier.slice(2)}${ext}`);
          if (files.has(sibling)) {
            return { resolvedModule: { resolvedFileName: sibling, extension: ext as ts.Extension } };
          }
        }
        return ts.resolveModuleName(
          specifier,
          join(fixtures, 'index.ts'),
          resolveOptions,
          host,
          cache,
          redirected,
        );
      }
      return ts.resolveModuleName(specifier, containingFile, resolveOptions, host, cache, redirected);
    });
  const ambient = join(root, 'docs/samples.d.ts');
  const program = ts.createProgram({
    rootNames: [ambient, ...files.keys()],
    options,
    host,
    ...(oldProgram && { oldProgram }),
  });
  const errors: SampleError[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const file = diagnostic.file;
    const fileName = file?.fileName ?? '';
    const sample = files.get(fileName);
    const position =
      file && diagnostic.start !== undefined
        ? file.getLineAndCharacterOfPosition(diagnostic.start)
        : undefined;
    if (sample && position) {
      const at = `${sample.page}:${sample.line + position.line}:${position.character + 1}`;
      errors.push({ at, code: diagnostic.code, message });
    } else if (fileName === ambient) {
      errors.push({ at: `docs/samples.d.ts:${(position?.line ?? 0) + 1}`, code: diagnostic.code, message });
    } else if (!fileName.includes('/node_modules/') && !fileName.startsWith(join(root, 'packages'))) {
      // The packages' own errors belong to `pnpm typecheck`; anything else (an option, a fixture) is the checker's.
      errors.push({ at: fileName ? relative(root, fileName) : '(options)', code: diagnostic.code, message });
    }
  }
  return { errors, program };
}

/** Whether `file` holds every line of the sample, in order (blank lines and its file-name line aside). */
export function missingLines(sample: Sample, file: string): string[] {
  const held = readFileSync(join(root, file), 'utf8')
    .split('\n')
    .map((line) => line.trim());
  const wanted = sample.code
    .split('\n')
    .slice(sample.name ? 1 : 0)
    .map((line) => line.trim())
    .filter(Boolean);
  const missing: string[] = [];
  let from = 0;
  for (const line of wanted) {
    const found = held.indexOf(line, from);
    if (found === -1) missing.push(line);
    else from = found + 1;
  }
  return missing;
}
