// The LKMM litmus checker of @k/core-sync: parse C litmus tests in herd7's
// dialect, decide them under the Linux-kernel memory model
// (tools/memory-model/linux-kernel.cat, .bell, lock.cat), report as herd7
// does, judge against `Result:` comments, and explain verdicts in words.
// Named exports only; src/index.ts re-exports them.

export { parseLitmus, LitmusSyntaxError } from './parser';
export type { LitmusTest, LitmusValue, StateLoc as LitmusStateLoc, Prop as LitmusProp, Condition as LitmusCondition, SourcePos as LitmusSourcePos } from './ast';
export { PRIMITIVES as LITMUS_PRIMITIVES } from './program';
export {
  runLitmus,
  formatHerd as formatHerdReport,
  toJson as litmusResultToJson,
  formatCondition as formatLitmusCondition,
  formatState as formatLitmusState,
} from './run';
export type { LitmusResult, LitmusJson, Observation as LitmusObservation, RunOptions as LitmusRunOptions } from './run';
export type { FinalState as LitmusFinalState, Execution as LitmusExecution } from './exec';
export { LitmusTimeoutError } from './exec';
export { explainLitmus, explainResult as explainLitmusResult } from './explain';
export { judgeLitmusResult, parseResultComment as parseLitmusResultComment } from './judge';
export type { Judgement as LitmusJudgement, ExpectedResult as LitmusExpectedResult } from './judge';
export { generateChain as generateLitmusChain, expectedChainVerdict as expectedLitmusChainVerdict } from './generate';
export type { ChainShape as LitmusChainShape, ChainOptions as LitmusChainOptions } from './generate';
