package server

// The web UI in a real browser: Debian's chromium, headless, driven by
// chromedp. The test logs in with the token, searches and picks keys,
// checks that the chart holds exactly what the API answers for the
// request the page made, zooms by dragging, pans, reloads the page from
// its URL, follows new data, and keeps a screenshot (CHIME_UI_SCREENSHOT
// names the file; otherwise it goes to the test's artifact directory,
// kept with go test -artifacts). Without chromium it skips, except under
// CI (CI set), where it fails; with -short it skips.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const uiToken = "ui-test-token"

// chromiumPath finds the browser, or skips the test (fails it under CI).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found: CI must run the browser test (apt-get install chromium)")
	}
	t.Skip("chromium not found: the web UI's browser test needs it (apt-get install chromium)")
	return ""
}

// browser starts a headless chromium with a fresh profile and returns a
// context driving one tab of it, and the exceptions the page throws.
func browser(t *testing.T) (context.Context, *exceptions) {
	t.Helper()
	if testing.Short() {
		t.Skip("the browser tests run without -short (make test runs them once, not again under -race -short)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	ex := &exceptions{}
	err := chromedp.Listen(bctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok && e.ExceptionDetails != nil {
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			ex.add(msg)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(cancel)
	return ctx, ex
}

// exceptions collects what the page throws; the listener runs on
// chromedp's goroutine.
type exceptions struct {
	mu   sync.Mutex
	msgs []string
}

func (e *exceptions) add(m string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.msgs = append(e.msgs, m)
}

func (e *exceptions) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.msgs...)
}

// sensor is the value of a sensor of uiRows at second i.
func sensor(phase float64, i int) float64 {
	return 20 + 5*math.Sin(float64(i)/86400*2*math.Pi+phase) + 0.5*math.Sin(float64(i)/37)
}

// gardenSpike is temp.garden's largest value, at its spike.
func gardenSpike() float64 {
	v, _ := strconv.ParseFloat(fmt.Sprintf("%.3f", sensor(1.3, 100000)+8), 64)
	return v
}

// uiRows are two sensors, one row every 10 s over two days, with a spike
// in temp.garden, and a two-column key.
func uiRows() string {
	var b strings.Builder
	const start = 1704067200 // 2024-01-01
	for _, k := range []struct {
		key   string
		phase float64
	}{{"temp.garden", 1.3}, {"temp.kitchen", 0}} {
		for i := 0; i < 2*86400; i += 10 {
			v := sensor(k.phase, i)
			if k.key == "temp.garden" && i == 100000 {
				v += 8
			}
			fmt.Fprintf(&b, "%s %d F %.3f\n", k.key, (start+i)*1e9, v)
		}
	}
	b.WriteString("humidity 1704067200000000000 uu 40 7\nhumidity 1704110400000000000 uu 55 8\n")
	return b.String()
}

func TestUI_Browser(t *testing.T) {
	ctx, ex := browser(t)
	e := newDirEnv(t, func(o *Options) { o.Token = uiToken })
	auth := []string{"Authorization", "Bearer " + uiToken}
	e.must(201, "PUT", "/", uiRows(), auth...)

	// The page asks for the token once, then lists keys by prefix.
	run(t, ctx, "log in",
		chromedp.Navigate(e.ts.URL+"/ui/"),
		chromedp.WaitVisible(chromedp.CSS("#token-form")),
		chromedp.SendKeys(chromedp.CSS("#token"), uiToken),
		chromedp.Click(chromedp.CSS("#token-form button")),
		chromedp.WaitNotVisible(chromedp.CSS("#token-form")),
	)
	run(t, ctx, "pick keys",
		chromedp.SendKeys(chromedp.CSS("#search"), "temp."),
		chromedp.WaitVisible(chromedp.CSS(`#keys button[data-key="temp.kitchen"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#keys button[data-key="humidity"]`)),
		chromedp.Click(chromedp.CSS(`#keys button[data-key="temp.garden"]`)),
	)
	waitLoads(t, ctx, 1, 1)
	run(t, ctx, "pick a second key", chromedp.Click(chromedp.CSS(`#keys button[data-key="temp.kitchen"]`)))
	first := waitLoads(t, ctx, 2, 2)
	if first.Labels[0] != "temp.garden" || first.Labels[1] != "temp.kitchen" {
		t.Fatalf("series %q, want temp.garden and temp.kitchen", first.Labels)
	}
	checkAgainstAPI(t, e, first)
	if first.Range[0] != "1704067200000000000" || first.Range[1] != "1704239990000000001" {
		t.Errorf("range %v: want the data's, from the span", first.Range)
	}
	chartWidth := evalInt(t, ctx, `document.querySelector('.u-over').clientWidth`)
	if n := len(first.Data[0]); n < chartWidth/3 || n > evalInt(t, ctx, `document.getElementById('chart').clientWidth`) {
		t.Errorf("%d buckets for a chart %d pixels wide: want about one per pixel column", n, chartWidth)
	}
	if got, want := maxOf(first.Data[1]), gardenSpike(); got != want {
		t.Errorf("temp.garden's largest value drawn is %v, want its spike, %v", got, want)
	}

	// A tooltip shows the values under the cursor.
	box := overBox(t, ctx)
	run(t, ctx, "hover",
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, box.X+box.W/2, box.Y+box.H/2),
		chromedp.WaitVisible(chromedp.CSS("#tooltip")),
	)
	tip := get(t, ctx, "tooltip", chromedp.Text(chromedp.CSS("#tooltip")))
	if !strings.Contains(tip, "UTC") || !strings.Contains(tip, "temp.garden: ") || !strings.Contains(tip, "temp.kitchen: ") {
		t.Errorf("tooltip %q: want the time and both series' values", tip)
	}
	screenshot(t, ctx)

	// Dragging across a quarter of the chart zooms in: a narrower range,
	// a finer step, and still exactly what the API answers.
	drag(t, ctx, box.X+box.W*0.4, box.X+box.W*0.65, box.Y+box.H/2)
	zoomed := waitRange(t, ctx, first.Range)
	checkAgainstAPI(t, e, zoomed)
	if zs, fs := span(t, zoomed.Range), span(t, first.Range); zs > fs/3 || zs < fs/5 {
		t.Errorf("zoomed range %v is %.2f of the first, want about a quarter", zoomed.Range, zs/fs)
	}
	if zoomed.step() >= first.step() {
		t.Errorf("step %d after zooming, %d before: want finer", zoomed.step(), first.step())
	}

	// Panning moves the range by half its width.
	run(t, ctx, "pan", chromedp.Click(chromedp.CSS("#pan-right")))
	panned := waitRange(t, ctx, zoomed.Range)
	checkAgainstAPI(t, e, panned)
	if got, want := start(t, panned.Range)-start(t, zoomed.Range), span(t, zoomed.Range)/2; math.Abs(got-want) > 1e-6*want {
		t.Errorf("pan moved the range by %v ns, want %v", got, want)
	}

	// The URL holds the state: opening it again draws the same chart.
	href := get(t, ctx, "location", chromedp.Location())
	u, err := url.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); len(q["filter"]) != 2 || q.Get("after-time") == "" || q.Get("before-time") == "" {
		t.Errorf("URL %s: want both filters and the time range", href)
	}
	run(t, ctx, "reload", chromedp.Navigate(href))
	again := waitLoads(t, ctx, 1, 2)
	if fmt.Sprint(again.Range) != fmt.Sprint(panned.Range) || fmt.Sprint(again.Labels) != fmt.Sprint(panned.Labels) {
		t.Errorf("reloaded %s: range %v and series %v, want %v and %v", href, again.Range, again.Labels, panned.Range, panned.Labels)
	}

	checkPage(t, ctx, ex)
}

// TestUI_Browser_FollowsNewData loads a chart of all the data with a
// refresh every second, writes a later row, and waits for the chart to
// take it in.
func TestUI_Browser_FollowsNewData(t *testing.T) {
	ctx, ex := browser(t)
	e := newDirEnv(t, nil)
	e.put("", "live 1704067200000000000 u 1\nlive 1704067260000000000 u 2\n")
	run(t, ctx, "open", chromedp.Navigate(e.ts.URL+"/ui/?filter=live&refresh=1"))
	before := waitLoads(t, ctx, 1, 1)
	e.put("", "live 1704067320000000000 u 9\n")
	deadline := time.Now().Add(20 * time.Second)
	for {
		now := readUI(t, ctx)
		if now.Range[1] == "1704067320000000001" && maxOf(now.Data[1]) == 9 {
			checkAgainstAPIAt(t, e, now, nil)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s the chart still shows %v (first %v): the new row was not followed", now.Range, before.Range)
		}
		time.Sleep(200 * time.Millisecond)
	}
	checkPage(t, ctx, ex)
}

// uiState is what the page exposes as window.chimeUI.
type uiState struct {
	Loads     int
	LastQuery string
	Error     string
	Labels    []string
	Range     []string
	Data      [][]*float64
	CSP       []string `json:"cspViolations"`
}

// step is the step of the state's query, in nanoseconds.
func (s *uiState) step() int64 {
	q, _ := url.ParseQuery(s.LastQuery[strings.IndexByte(s.LastQuery, '?')+1:])
	n, _ := strconv.ParseInt(strings.TrimSuffix(q.Get("step"), "ns"), 10, 64)
	return n
}

func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs an action that returns a value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func readUI(t *testing.T, ctx context.Context) *uiState {
	t.Helper()
	s := get(t, ctx, "read window.chimeUI", chromedp.Evaluate[uiState](`window.chimeUI`))
	return &s
}

// waitLoads waits until the page has drawn loads charts, the last with
// the given number of series, and returns its state.
func waitLoads(t *testing.T, ctx context.Context, loads, series int) *uiState {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := readUI(t, ctx)
		if s.Error != "" {
			t.Fatalf("the page says: %s", s.Error)
		}
		if s.Loads >= loads && len(s.Labels) == series && len(s.Data) == 1+2*series {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: %d loads and series %q, want %d loads and %d series", s.Loads, s.Labels, loads, series)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitRange waits until the page has drawn a chart of two series over
// another range than old, and returns its state.
func waitRange(t *testing.T, ctx context.Context, old []string) *uiState {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := readUI(t, ctx)
		if s.Error != "" {
			t.Fatalf("the page says: %s", s.Error)
		}
		if fmt.Sprint(s.Range) != fmt.Sprint(old) && len(s.Labels) == 2 && len(s.Data) == 5 {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s the chart still shows %v", s.Range)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkAgainstAPI fetches the request the page made and checks that the
// chart's arrays hold its buckets: the times, and each series' min and
// max.
func checkAgainstAPI(t *testing.T, e *env, s *uiState) {
	t.Helper()
	checkAgainstAPIAt(t, e, s, []string{"Authorization", "Bearer " + uiToken})
}

// checkAgainstAPIAt is checkAgainstAPI with the request headers hdr.
func checkAgainstAPIAt(t *testing.T, e *env, s *uiState, hdr []string) {
	t.Helper()
	body := e.must(200, "GET", s.LastQuery, "", hdr...)
	type row struct {
		Key    string
		TS     json.Number
		Values []any
	}
	times := map[string]int{}
	var rows []row
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		var r row
		d := json.NewDecoder(strings.NewReader(line))
		d.UseNumber()
		if err := d.Decode(&r); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		rows = append(rows, r)
		times[r.TS.String()] = 0
	}
	if len(s.Data[0]) != len(times) {
		t.Fatalf("the chart has %d buckets, the API %d", len(s.Data[0]), len(times))
	}
	at := map[string]int{}
	for i, x := range s.Data[0] {
		at[strconv.FormatInt(int64(math.Round(*x*1e3)), 10)] = i // milliseconds
	}
	for _, r := range rows {
		ns, _ := strconv.ParseInt(r.TS.String(), 10, 64)
		i, ok := at[strconv.FormatInt(int64(math.Round(float64(ns)/1e6)), 10)]
		if !ok {
			t.Fatalf("bucket %s of %s is not on the chart", r.TS, r.Key)
		}
		k := slices.Index(s.Labels, r.Key)
		if k < 0 {
			t.Fatalf("key %s of the API is not a series of the chart (%q)", r.Key, s.Labels)
		}
		lo, hi := r.Values[0].(json.Number), r.Values[1].(json.Number)
		if got := s.Data[2*k+2][i]; got == nil || strconv.FormatFloat(*got, 'g', -1, 64) != normal(lo) {
			t.Fatalf("%s at %s: min %v on the chart, %s from the API", r.Key, r.TS, deref(got), lo)
		}
		if got := s.Data[2*k+1][i]; got == nil || strconv.FormatFloat(*got, 'g', -1, 64) != normal(hi) {
			t.Fatalf("%s at %s: max %v on the chart, %s from the API", r.Key, r.TS, deref(got), hi)
		}
	}
}

// normal writes a JSON number as Go's shortest float formatting does.
func normal(n json.Number) string {
	f, _ := n.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func maxOf(vs []*float64) float64 {
	m := math.Inf(-1)
	for _, v := range vs {
		if v != nil {
			m = math.Max(m, *v)
		}
	}
	return m
}

func start(t *testing.T, r []string) float64 {
	v, err := strconv.ParseFloat(r[0], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func span(t *testing.T, r []string) float64 {
	to, err := strconv.ParseFloat(r[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return to - start(t, r)
}

func evalInt(t *testing.T, ctx context.Context, expr string) int {
	t.Helper()
	return get(t, ctx, expr, chromedp.Evaluate[int](expr))
}

// rect is an element's box in CSS pixels.
type rect struct{ X, Y, W, H float64 }

// overBox is the box of uPlot's plotting area.
func overBox(t *testing.T, ctx context.Context) rect {
	t.Helper()
	return get(t, ctx, "plot area", chromedp.Evaluate[rect](`(() => { const b = document.querySelector('.u-over').getBoundingClientRect(); return {X: b.left, Y: b.top, W: b.width, H: b.height}; })()`))
}

// drag presses the left button at x0, moves to x1 and releases it.
func drag(t *testing.T, ctx context.Context, x0, x1, y float64) {
	t.Helper()
	left := chromedp.ButtonType(input.MouseButtonLeft)
	run(t, ctx, "drag",
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x0, y),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x0, y, left),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, (x0+x1)/2, y, left),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x1, y, left),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x1, y, left),
	)
}

// screenshot keeps a picture of the page as a test artifact.
func screenshot(t *testing.T, ctx context.Context) {
	t.Helper()
	png := get(t, ctx, "screenshot", chromedp.FullScreenshot(100))
	path := os.Getenv("CHIME_UI_SCREENSHOT")
	if path == "" {
		path = filepath.Join(t.ArtifactDir(), "ui.png")
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// checkPage fails on a script exception or a Content-Security-Policy
// violation (an inline script or style the CSP blocked).
func checkPage(t *testing.T, ctx context.Context, ex *exceptions) {
	t.Helper()
	if s := readUI(t, ctx); len(s.CSP) > 0 {
		t.Errorf("Content-Security-Policy violations: %q", s.CSP)
	}
	if msgs := ex.list(); len(msgs) > 0 {
		t.Errorf("the page threw: %q", msgs)
	}
}

// TestUI_Browser_Root: under --root the page reads the database the URL
// names, and lists the others.
func TestUI_Browser_Root(t *testing.T) {
	ctx, ex := browser(t)
	e := newRootEnv(t, nil)
	e.put("/db/alpha", "a 1704067200000000000 u 1\na 1704067260000000000 u 2\n")
	e.put("/db/beta", "b 1704067200000000000 F 0.5\nb 1704067260000000000 F 1.5\nb 1704067320000000000 F -2\n")
	run(t, ctx, "open", chromedp.Navigate(e.ts.URL+"/ui/?db=beta&filter=b"))
	s := waitLoads(t, ctx, 1, 1)
	if !strings.HasPrefix(s.LastQuery, "/db/beta/?") || s.Labels[0] != "b" {
		t.Fatalf("query %s, series %q: want database beta's key b", s.LastQuery, s.Labels)
	}
	checkAgainstAPIAt(t, e, s, nil)
	names := get(t, ctx, "databases", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#db option')].map((o) => o.value)`))
	if fmt.Sprint(names) != "[alpha beta]" {
		t.Errorf("database list %q, want alpha and beta", names)
	}
	checkPage(t, ctx, ex)
}
