import { readFileSync, statSync } from 'node:fs';
import { Command } from 'commander';
import { formatDiagnostic, loadDefinition, type Diagnostic } from '@matih/pipeline-spec';
import { EXIT } from '../exit-codes';

/** What `--json` prints for one file. */
interface FileReport {
  file: string;
  valid: boolean;
  /** the content hash of the normalized definition, when valid */
  hash?: string;
  diagnostics: Diagnostic[];
}

const MAX_FILE_BYTES = 4 * 1024 * 1024;

function validateFile(file: string): FileReport {
  let text: string;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new Error('is a directory');
    if (stat.size > MAX_FILE_BYTES) throw new Error(`is ${stat.size} bytes; a pipeline definition may be at most 1048576 bytes`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { file, valid: false, diagnostics: [{ file, line: 1, col: 1, path: '', message: `cannot read the file: ${reason}`, severity: 'error' }] };
  }
  const result = loadDefinition(text, { file, env: process.env });
  return result.ok ? { file, valid: true, hash: result.hash, diagnostics: result.diagnostics } : { file, valid: false, diagnostics: result.diagnostics };
}

/** `matih validate <file>...` — parse, validate and normalize pipeline definitions. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check pipeline definitions: YAML, schema, ${VAR} interpolation, SQL, cross-field rules')
    .argument('<file...>', 'pipeline definition files (YAML)')
    .option('--json', 'print machine-readable diagnostics on stdout')
    .action((files: string[], options: { json?: boolean }) => {
      const reports = files.map(validateFile);
      const valid = reports.every((r) => r.valid);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ valid, files: reports }, null, 2)}\n`);
      } else {
        for (const report of reports) {
          for (const d of report.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
          if (report.valid) process.stdout.write(`${report.file}: valid (${report.hash})\n`);
        }
        const invalid = reports.filter((r) => !r.valid).length;
        if (invalid > 0) process.stderr.write(`${invalid} of ${reports.length} file${reports.length === 1 ? '' : 's'} invalid\n`);
      }
      process.exitCode = valid ? EXIT.ok : EXIT.failure;
    });
}
