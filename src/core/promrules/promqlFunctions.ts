/**
 * PromQL's functions as Prometheus 2.42 knows them (its documentation's list, each checked with promtool 2.42 by
 * promExprTypes' tests): the types of their arguments and of their value. `optional`: how many trailing arguments may be
 * left out; `repeat`: the last may be given any number of times (label_join's source labels).
 */
export type PromType = 'scalar' | 'instant vector' | 'range vector' | 'string';

export interface PromFunction { args: PromType[]; optional?: number; repeat?: boolean; returns: PromType }

const V: PromType = 'instant vector', M: PromType = 'range vector', S: PromType = 'scalar', STR: PromType = 'string';
const fn = (args: PromType[], returns: PromType = V, more: { optional?: number; repeat?: boolean } = {}): PromFunction => ({ args, returns, ...more });

const vectorMath = ['abs', 'ceil', 'exp', 'floor', 'ln', 'log2', 'log10', 'sgn', 'sqrt', 'sort', 'sort_desc', 'timestamp', 'absent',
  'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'cos', 'cosh', 'sin', 'sinh', 'tan', 'tanh', 'deg', 'rad',
  'histogram_count', 'histogram_sum'];
const overRange = ['absent_over_time', 'changes', 'delta', 'deriv', 'idelta', 'increase', 'irate', 'rate', 'resets',
  'avg_over_time', 'count_over_time', 'last_over_time', 'max_over_time', 'min_over_time', 'sum_over_time',
  'stddev_over_time', 'stdvar_over_time', 'present_over_time'];
const calendar = ['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'];

export const PROMQL_FUNCTIONS: ReadonlyMap<string, PromFunction> = new Map<string, PromFunction>([
  ...vectorMath.map((n) => [n, fn([V])] as const),
  ...overRange.map((n) => [n, fn([M])] as const),
  ...calendar.map((n) => [n, fn([V], V, { optional: 1 })] as const),
  ['clamp', fn([V, S, S])], ['clamp_max', fn([V, S])], ['clamp_min', fn([V, S])],
  ['histogram_quantile', fn([S, V])], ['histogram_fraction', fn([S, S, V])], ['holt_winters', fn([M, S, S])],
  ['label_replace', fn([V, STR, STR, STR, STR])], ['label_join', fn([V, STR, STR, STR], V, { optional: 1, repeat: true })],
  ['predict_linear', fn([M, S])], ['quantile_over_time', fn([S, M])], ['round', fn([V, S], V, { optional: 1 })],
  ['scalar', fn([V], S)], ['vector', fn([S])], ['time', fn([], S)], ['pi', fn([], S)],
]);

/**
 * Functions of later Prometheus versions (and experimental ones): 2.42 refuses them as unknown, a newer Prometheus
 * may not, so they are never refused here.
 */
export const LATER_FUNCTIONS = new Set(['mad_over_time', 'sort_by_label', 'sort_by_label_desc', 'histogram_avg', 'histogram_stddev',
  'histogram_stdvar', 'double_exponential_smoothing', 'info', 'first_over_time', 'ts_of_max_over_time', 'ts_of_min_over_time',
  'ts_of_last_over_time', 'ts_of_first_over_time', 'limitk', 'limit_ratio', 'histogram_quantiles']);
