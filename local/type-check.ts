/**
 * Type-checks a user's migration before it is bundled. esbuild only strips types, so a transform
 * with a type error would bundle fine and then fail every item at run time; the TypeScript compiler
 * finds it first, with file:line:column. The package's own name resolves to this package's
 * `defineMigration` types, whether or not the migration's folder has the package installed.
 */
import { dirname, extname } from 'node:path';
import type * as TypeScript from 'typescript';
import { PACKAGE_NAME, typesFile } from '../bundle/package-layout';

/** One compiler error in the user's code. */
export interface TypeProblem {
  file: string;
  line: number;
  column: number;
  code: number;
  message: string;
}

// Loaded on first use: most CLI runs (--help, a .js migration, a usage error) never need the compiler.
let compiler: typeof TypeScript | undefined;
const typescript = (): typeof TypeScript => (compiler ??= require('typescript') as typeof TypeScript);

/** The options of the tsconfig.json nearest to the migration, if there is one. */
function nearestCompilerOptions(ts: typeof TypeScript, file: string): TypeScript.CompilerOptions | undefined {
  const config = ts.findConfigFile(dirname(file), ts.sys.fileExists, 'tsconfig.json');
  if (!config) return undefined;
  const read = ts.readConfigFile(config, ts.sys.readFile);
  if (read.error) return undefined;
  return ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(config)).options;
}

/** Defaults for a migration without a tsconfig.json: what `tsc --init` would check. */
const defaultOptions = (ts: typeof TypeScript): TypeScript.CompilerOptions => ({
  strict: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  esModuleInterop: true,
});

/** Whether a file is TypeScript (JavaScript migrations are bundled without a check). */
export const isTypeScript = (file: string): boolean => ['.ts', '.mts', '.cts'].includes(extname(file));

/**
 * Node's types for a migration that has no tsconfig.json: this package's own @types/node, after every
 * the migration's folder has, so `process.env` type-checks in a file written anywhere.
 */
function nodeTypes(ts: typeof TypeScript, file: string): TypeScript.CompilerOptions {
  const ours = dirname(dirname(require.resolve('@types/node/package.json')));
  const theirs = ts.getEffectiveTypeRoots({}, { getCurrentDirectory: () => dirname(file) }) ?? [];
  return { types: ['node'], typeRoots: [...theirs, ours] };
}

/** Type-checks `file` and the files it imports outside node_modules; an empty list means it is fine. */
export function typeCheckMigration(file: string): TypeProblem[] {
  const ts = typescript();
  const options: TypeScript.CompilerOptions = {
    ...(nearestCompilerOptions(ts, file) ?? { ...defaultOptions(ts), ...nodeTypes(ts, file) }),
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
  };
  const host = ts.createCompilerHost(options);
  // Without a tsconfig, @types are looked up from the migration's folder, not from wherever the CLI was started.
  host.getCurrentDirectory = () => dirname(file);
  const ownTypes = typesFile('migrations/define');
  host.resolveModuleNames = (names, containing) =>
    names.map((name) => {
      if (name === PACKAGE_NAME) return { resolvedFileName: ownTypes, extension: ownTypes.endsWith('.d.ts') ? ts.Extension.Dts : ts.Extension.Ts, isExternalLibraryImport: true };
      return ts.resolveModuleName(name, containing, options, host).resolvedModule;
    });
  const program = ts.createProgram({ rootNames: [file], options, host });
  const theirs = (source: TypeScript.SourceFile | undefined): source is TypeScript.SourceFile =>
    source !== undefined && !source.isDeclarationFile && !program.isSourceFileFromExternalLibrary(source) && !/[\\/]node_modules[\\/]/.test(source.fileName);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error && (d.file === undefined || theirs(d.file)))
    .map((d) => {
      const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
      return { file: d.file?.fileName ?? file, line: at.line + 1, column: at.character + 1, code: d.code, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') };
    });
}
