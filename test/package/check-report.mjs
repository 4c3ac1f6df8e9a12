// node test/package/check-report.mjs <report.json> <packageDir> <prebuild relative to it> <libgit2 version>
// checkReport (report.mjs) on a report probe.mjs wrote elsewhere (another architecture's root).
import { readFileSync } from 'node:fs';
import { checkReport } from './report.mjs';

const [reportFile, packageDir, prebuild, libgit2] = process.argv.slice(2);
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
checkReport(report, { packageDir, prebuild, libgit2 });
console.log(`check-report: all checks passed (libgit2 ${report.versions.libgit2}, ${report.versions.tls})`);
