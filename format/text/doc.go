// Package text is chime's row codec for text, sonnerie's interface:
//
//   - in: lines `KEY TIMESTAMP VALUE...` (LineParser; tokens and escaping
//     in NextToken and AppendEscaped; numbers and floats parsed exactly),
//     and Parse, the pipeline that cuts an input into chunks, parses them
//     on several cores and hands Blocks on in input order, checking the
//     sort order and the Limits; UnescapeArg for command-line arguments
//     that stand for one token (delete's keys);
//   - out: read's lines (RowFormatter), CSV (CSVFormatter) and JSON lines
//     (JSONFormatter), and the column selections of -C (ColumnSet).
//
// Parsers and formatters allocate nothing per row: they append into
// caller-owned buffers and reuse their scratch memory.
package text
