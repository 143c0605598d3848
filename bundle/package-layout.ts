/**
 * Where this package's files are. In a checkout the code runs from its TypeScript sources (tsx,
 * ts-jest); installed from the registry it runs from `dist/`, compiled, with `.d.ts` beside it. Every
 * path the bundler, the type-checker or the CLI needs is derived here, so both layouts work.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** True when running compiled (an installed package), false from sources (a checkout). */
export const compiled = !__filename.endsWith('.ts');

/** The folder the code's modules are in: the checkout, or its `dist/`. */
export const codeRoot = resolve(__dirname, '..');

/** The folder with package.json. */
export const packageRoot = compiled ? resolve(codeRoot, '..') : codeRoot;

const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string> };

/** The name users import `defineMigration` from. */
export const PACKAGE_NAME = manifest.name;

/** The package's version, for --version. */
export const PACKAGE_VERSION = manifest.version;

/** The command users type. */
export const BIN_NAME = Object.keys(manifest.bin)[0] ?? manifest.name;

/** A module of this package by its path without extension, as it exists in this layout. */
export const codeFile = (path: string): string => join(codeRoot, `${path}${compiled ? '.js' : '.ts'}`);

/** The file that gives a module's types: the source, or the `.d.ts` beside the compiled file. */
export const typesFile = (path: string): string => join(codeRoot, `${path}${compiled ? '.d.ts' : '.ts'}`);
