// Package chart draws time series: in a terminal with Unicode braille
// characters (Terminal), and as PNG (WritePNG) and SVG (WriteSVG) images.
//
// It draws what it is given and reads nothing itself: a Chart holds each
// series already downsampled to about one Point per pixel column (or per
// braille dot column), each Point the smallest and largest value of its
// time bucket. Drawing the whole range of every bucket, joined to its
// neighbours, keeps spikes that an average would hide: chime plot and the
// web UI get these min/max envelopes from the aggregation of tsdb, so the
// size of a chart does not grow with the rows behind it.
//
// The axes of all three renderers come from the same ticks: values at
// 1, 2 or 5 times a power of ten, times at whole seconds, minutes, hours,
// days, months or years in UTC, labelled with only what changes (15:04,
// and Jan 2 at midnight), the full range in a caption below.
//
// Images use golang.org/x/image only (a vector rasteriser, an OpenType
// parser and the Go fonts), and parse their font on first use, so that
// linking this package costs every chime command nothing at start-up.
package chart
