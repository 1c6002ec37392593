// Package text is chime's row codec for text, sonnerie's interface:
//
//   - in: lines `KEY TIMESTAMP VALUE...` (LineParser; tokens and escaping
//     in NextToken and AppendEscaped; numbers and floats parsed exactly),
//     and Parse, the pipeline that cuts an input into chunks, parses them
//     on several cores and hands Blocks on in input order, checking the
//     sort order and the Limits; UnescapeArg for command-line arguments
//     that stand for one token (delete's keys);
//   - out: read's lines (RowFormatter), CSV (CSVFormatter) and JSON lines
//     (JSONFormatter), and the column selections of -C (ColumnSet);
//   - in, besides text lines: CSV, chime's own header or a file as people
//     have it (ParseCSV, with key, time and value columns chosen by name,
//     or one series per column), and the JSON lines of read -o json
//     (ParseJSON). Both hand on blocks in input order and name the line
//     and the column of every error.
//
// Parsers and formatters allocate nothing per row: they append into
// caller-owned buffers and reuse their scratch memory.
package text
