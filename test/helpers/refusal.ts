// The one way a test says "this input is refused": the StereotaxError it throws, checked to be
// one (any other throw, or a result, fails the test), and its issues in the form tests compare
// whole. Every "refused with code X at path Y" in test/ goes through here.
import { expect } from 'vitest';
import { StereotaxError, type Issue } from '../../src/core/errors.js';

/** The StereotaxError that fn throws; fails the test on any other outcome. */
export function refusal(fn: () => unknown): StereotaxError {
  let thrown: unknown;
  let threw = false;
  try {
    fn();
  } catch (e) {
    thrown = e;
    threw = true;
  }
  if (!threw) expect.unreachable('expected a StereotaxError, got a result');
  expect(thrown, 'expected a StereotaxError').toBeInstanceOf(StereotaxError);
  return thrown as StereotaxError;
}

/** The error's own code and path checked (the first issue's), then the error for further checks. */
export function refusedWith(fn: () => unknown, code: string | undefined, path: string, label?: string): StereotaxError {
  const e = refusal(fn);
  if (code !== undefined) expect(e.code, label).toBe(code);
  expect(e.path, label).toBe(path);
  return e;
}

/** An issue as tests compare it: code, path, expected and received (not the message). */
export type IssueBrief = Pick<Issue, 'code' | 'path' | 'expected' | 'received'>;
export const brief = ({ code, path, expected, received }: Issue): IssueBrief => ({ code, path, expected, received });

/** Every issue of fn's refusal, as code, path, expected, received. */
export function refusalIssues(fn: () => unknown): IssueBrief[] {
  return refusal(fn).issues.map(brief);
}

/** Issues as [code, path] pairs, for tests that compare only those two. */
export const codePaths = (issues: readonly Issue[]): [string, string][] => issues.map((i) => [i.code, i.path]);

/**
 * The issues fn's input is refused with, [] when it is accepted: for tests that probe both
 * sides of a bound. Any throw other than a StereotaxError fails the test.
 */
export function issuesOf(fn: () => unknown): readonly Issue[] {
  try {
    fn();
    return [];
  } catch (e) {
    expect(e, 'expected a StereotaxError').toBeInstanceOf(StereotaxError);
    return (e as StereotaxError).issues;
  }
}

/** issuesOf as { code, path } pairs, the form the schema-definition tests compare whole. */
export const issuePaths = (fn: () => unknown): { code: string; path: string }[] => issuesOf(fn).map(({ code, path }) => ({ code, path }));
