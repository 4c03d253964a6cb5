/**
 * Says at the end of `npm test`:
 * - how long the tests that run in Firefox took (those whose name says Firefox: the app, the element,
 *   the hostile cases and the mixed swarms in it), beside the rest, so that the cost of the second
 *   browser stays in view;
 * - every test that passed only on its retry (vite.config.ts: `retry`), with the errors of its failed
 *   attempt, so that a flaky test is seen and can be looked into rather than hidden.
 */
import type { Reporter, TestCase } from 'vitest/node';

export default class BrowserTimeReporter implements Reporter {
  private readonly firefox = { tests: 0, ms: 0, files: new Set<string>() };
  private readonly all = { tests: 0, ms: 0 };
  private readonly flaky: string[] = [];

  onTestCaseResult(testCase: TestCase): void {
    const state = testCase.result().state;
    if (state !== 'passed' && state !== 'failed') return;
    const diagnostic = testCase.diagnostic();
    if (state === 'passed' && diagnostic && diagnostic.retryCount > 0) {
      const errors = testCase.result().errors ?? [];
      const first = errors.map((e) => e.message.split('\n').slice(0, 12).join('\n    ')).join('\n  ');
      this.flaky.push(`${testCase.module.moduleId.replace(/^.*?\/test\//, 'test/')} > ${testCase.fullName}${first ? `\n  first attempt: ${first}` : ''}`);
    }
    const ms = diagnostic?.duration ?? 0;
    this.all.tests++;
    this.all.ms += ms;
    if (!/Firefox/.test(testCase.fullName)) return;
    this.firefox.tests++;
    this.firefox.ms += ms;
    this.firefox.files.add(testCase.module.moduleId);
  }

  onTestRunEnd(): void {
    if (this.flaky.length > 0) {
      console.log(`Passed only on a retry (${this.flaky.length}):\n${this.flaky.map((f) => `- ${f}`).join('\n')}`);
    }
    if (this.firefox.tests === 0) return;
    const s = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
    console.log(
      `Firefox: ${this.firefox.tests} tests in ${this.firefox.files.size} file(s) took ${s(this.firefox.ms)} of the ${s(this.all.ms)} that all ${this.all.tests} tests run took (summed; files run in parallel)`,
    );
  }
}
