package engine

// The request's clock: "now" is the only time the engine knows.

// maxTimeLen is the longest time the engine reads: RFC 3339 with at
// most nine digits of a second (nanoseconds) and an offset,
// 2006-01-02T15:04:05.999999999+08:00. Receipts and the state's head keep
// it as written.
const maxTimeLen = 35

// parseTime reads an RFC 3339 time into Unix seconds without allocating.
func parseTime(b []byte) (int64, bool) {
	sec, _, ok := parseInstant(b)
	return sec, ok
}

// earlier reports whether RFC 3339 time a is an earlier instant than b,
// both times the engine read before.
func earlier(a, b []byte) bool {
	as, an, _ := parseInstant(a)
	bs, bn, _ := parseInstant(b)
	return as < bs || (as == bs && an < bn)
}

// parseInstant reads an RFC 3339 time of at most maxTimeLen bytes into
// Unix seconds and nanoseconds without allocating.
func parseInstant(b []byte) (int64, int32, bool) {
	// 2006-01-02T15:04:05[.frac](Z|+hh:mm|-hh:mm)
	if len(b) < 20 || len(b) > maxTimeLen {
		return 0, 0, false
	}
	y, ok1 := digits4(b[0:4])
	mo, ok2 := digits2(b[5:7])
	d, ok3 := digits2(b[8:10])
	h, ok4 := digits2(b[11:13])
	mi, ok5 := digits2(b[14:16])
	se, ok6 := digits2(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || b[4] != '-' || b[7] != '-' ||
		(b[10] != 'T' && b[10] != 't' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return 0, 0, false
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || se > 60 {
		return 0, 0, false
	}
	i := 19
	var nsec int32
	if b[i] == '.' {
		i++
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j || i-j > 9 {
			return 0, 0, false
		}
		for k := j; k < j+9; k++ {
			nsec *= 10
			if k < i {
				nsec += int32(b[k] - '0')
			}
		}
	}
	if i >= len(b) {
		return 0, 0, false
	}
	off := 0
	switch b[i] {
	case 'Z', 'z':
		i++
	case '+', '-':
		if len(b)-i != 6 || b[i+3] != ':' {
			return 0, 0, false
		}
		oh, ok1 := digits2(b[i+1 : i+3])
		om, ok2 := digits2(b[i+4 : i+6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, 0, false
		}
		off = oh*3600 + om*60
		if b[i] == '-' {
			off = -off
		}
		i += 6
	default:
		return 0, 0, false
	}
	if i != len(b) {
		return 0, 0, false
	}
	if se == 60 {
		se = 59 // a leap second counts as the second before it
	}
	return daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+se-off), nsec, true
}

// digits2 and digits4 read two and four decimal digits (small enough to
// be inlined: a time is read on every request, and its state's head).
func digits2(b []byte) (int, bool) {
	d0, d1 := b[0]-'0', b[1]-'0'
	return int(d0)*10 + int(d1), d0 <= 9 && d1 <= 9
}

func digits4(b []byte) (int, bool) {
	hi, ok1 := digits2(b[0:2])
	lo, ok2 := digits2(b[2:4])
	return hi*100 + lo, ok1 && ok2
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil counts days from 1970-01-01 (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}
