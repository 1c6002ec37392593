// Package agg computes read --agg: aggregates of typed columns per time
// bucket, from decoded format.Blocks, into result rows that are plain
// format.Blocks again, so that every row formatter prints them. It is pure
// (it imports format/... only); tsdb drives it over merged rows
// (Snapshot.Aggregate).
//
// A Query names the aggregates (ParseList), the bucket width and offset
// (ParseDuration) and the value columns. A Series cuts the rows of one
// series, fed in time order, into buckets and accumulates each into a
// State; a Sink takes the finished buckets: a RowSink turns each into one
// result row, a Partial merges the buckets of many series (read --merge)
// and combines with the Partials of other goroutines.
//
// # Results
//
// A result row has, for each selected value column that some row of the
// bucket has (rows whose format is narrower lack the last columns), the
// result of each aggregate, in that order. Types:
//
//   - count: U, the rows that have the column.
//   - sum: U when only u and U values were added, I when i or I were too,
//     F when any float was (the exact integer sum, rounded once, plus the
//     float sum). Integers are summed exactly in 128 bits, so only a final
//     sum outside the 64-bit type is an error (ErrOverflow), naming the
//     key and bucket; mean never overflows.
//   - mean, stddev and quantiles: F.
//   - min, max, first, last: the type of the row they come from, so that
//     a key whose format changed in a bucket gives the winning row's type.
//
// s and B columns take only count, first and last (Query.CheckFormat).
//
// # Floating point
//
// Values are compared exactly across types (a u 3 equals an F 3.0), in
// the order of DuckDB and PostgreSQL: -inf < numbers < +inf < NaN. So min
// ignores NaN unless every value is NaN, max is NaN when any value is, and
// NaN sort last for quantiles. Among equal values (0 and -0) min and max
// keep the earliest. Sums, means and deviations follow IEEE 754: a NaN
// makes them NaN, and so does inf - inf. Floats add in float64 in the
// order read prints the rows (merged series: per key, then combined), so
// the last bits may differ from another summation order.
//
// stddev is the sample standard deviation, sqrt(sum((x-mean)^2)/(n-1)),
// NaN for fewer than two values; it is computed from two-pass moments per
// run of rows, combined with Chan et al.'s update.
//
// Quantiles (pNN = quantile(NN/100)) interpolate linearly between closest
// ranks: over the n values in order and h = q*(n-1),
// x[floor h] + (h - floor h)*(x[floor h + 1] - x[floor h]) (Hyndman and
// Fan's definition 7: R's and NumPy's default, DuckDB's quantile_cont).
// Values are taken as float64, so 64-bit integers beyond 2^53 round. They
// are exact: a bucket keeps every value (8 bytes each) until it is done.
package agg
