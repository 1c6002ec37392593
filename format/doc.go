// Package format is chime's row model, shared by every layer: a Format of
// typed columns (Code), a Block of rows of one key stored by column, the
// delete Marker, and the Limits on keys, lines and values. The codecs live
// in the packages below it, each about one representation of rows:
//
//   - timefmt: timestamps as text (strftime in chrono's dialect, time
//     bounds, RFC 3339);
//   - text: rows as text (sonnerie's lines and escaping, CSV and JSON out)
//     and the parallel import pipeline that turns text into Blocks;
//   - segment: rows on disk (the file layout and its Writer and Reader),
//     with the column streams in segment/codec.
//
// Nothing under format touches the file system or the network.
package format
