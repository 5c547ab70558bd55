#!/usr/bin/env python3
"""Where the configured estimator's error comes from, per ticket, on kiosk-sim state folders.

Usage: scripts/sim-diagnose.py DIR [DIR...]   (DIR: a kiosk-sim --state-dir, holding seed-N folders,
or one seed's folder). Reads each folder's events (kiosk.sqlite), takes the measured days (the last
`--days`, default 1) and for every ticket first called compares its wait with the estimate stored at
issue (error = wait - point, minutes, as EstimateAccuracy counts it). Prints MAE, bias and the share
under-predicted by more than 5 minutes, pooled and grouped by: local hour of issue, service, priority,
the point told (5-minute buckets), place in its own service's line at issue (`position`, 1 = first),
whether a priority ticket issued later was called first, and seed; plus each seed's share of the
total absolute error. A group whose bias is far from 0 on many seeds is a model error the estimator
can fix; one seed's large error is the day. Also the waits of priority and normal tickets (mean,
percentiles, promise kept): what a call rule such as keep-promises costs whom.
"""
import argparse, datetime, glob, json, os, sqlite3
from collections import defaultdict


def parse(s):
    return datetime.datetime.fromisoformat(s.replace('Z', '+00:00'))


def tickets(folder, days, offset_hours):
    db = sqlite3.connect(os.path.join(folder, 'kiosk.sqlite'))
    events = [json.loads(p) for (p,) in db.execute('select payload from events order by seq')]
    measured = set(sorted({e['day'] for e in events})[-days:])
    issued, calls = {}, []
    for e in events:
        if e['day'] not in measured or not e.get('ticket'):
            continue
        key = (e['day'], e['ticket'])
        if e['type'] == 'ticket.issued' and e.get('estimateSeconds') is not None:
            issued[key] = dict(seed=os.path.basename(folder), service=e['service'], priority=bool(e.get('priority')),
                               issued=parse(e['time']), point=e['estimateSeconds'] / 60, position=e.get('position'),
                               high=e.get('estimateHigh'))
        elif e['type'] == 'ticket.called' and key in issued and 'called' not in issued[key]:
            issued[key]['called'] = parse(e['time'])
            calls.append(key)
    out = [t for t in issued.values() if 'called' in t]
    for t in out:
        t['wait'] = (t['called'] - t['issued']).total_seconds() / 60
        t['error'] = t['wait'] - t['point']
        local = t['issued'] + datetime.timedelta(hours=offset_hours)
        t['hour'] = f'{local.hour:02d}:{"30" if local.minute >= 30 else "00"}'
        t['jumped'] = any(o['priority'] and o['issued'] > t['issued'] and o['called'] < t['called'] for o in out
                          if o is not t) if not t['priority'] else False
    return out


def line(name, group):
    n = len(group)
    errors = [t['error'] for t in group]
    return (f'  {name:>14}  {n:5d}  MAE {sum(map(abs, errors)) / n:5.2f}  bias {sum(errors) / n:+6.2f}'
            f'  under>5 {sum(e > 5 for e in errors) / n * 100:5.1f}%')


def waits(name, group):
    xs = sorted(t['wait'] for t in group)
    def q(p): return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]
    kept = [t['wait'] <= t['high'] for t in group if t['high'] is not None]
    return (f'  {name:>14}  {len(xs):5d}  mean {sum(xs) / len(xs):5.2f}  p50 {q(.5):5.2f}  p90 {q(.9):5.2f}'
            f'  p95 {q(.95):5.2f}  max {xs[-1]:5.1f}  promise kept {sum(kept) / max(1, len(kept)) * 100:5.1f}%')


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('dirs', nargs='+')
    p.add_argument('--days', type=int, default=1, help='measured days at the end of each folder (default 1)')
    p.add_argument('--utc-offset', type=float, default=8, help="the site's hours east of UTC (default 8, Asia/Shanghai)")
    a = p.parse_args()
    folders = []
    for d in a.dirs:
        if os.path.exists(os.path.join(d, 'kiosk.sqlite')):
            folders.append(d)
        else:
            folders += sorted((f for f in glob.glob(os.path.join(d, 'seed-*')) if os.path.isdir(f)),
                              key=lambda f: int(f.rsplit('-', 1)[1]))
    if not folders:
        raise SystemExit(f'no kiosk.sqlite in {", ".join(a.dirs)} nor in their seed-N folders: give a kiosk-sim --state-dir')
    all_tickets = [t for f in folders for t in tickets(f, a.days, a.utc_offset)]
    if not all_tickets:
        raise SystemExit('no ticket with a stored estimate was called on the measured days')
    print(line('pooled', all_tickets))
    groups = {
        'hour of issue': lambda t: t['hour'],
        'service': lambda t: t['service'],
        'priority': lambda t: 'priority' if t['priority'] else 'normal',
        'point told': lambda t: f'{min(30, int(t["point"] // 5) * 5):>2d}+ min',
        'place in own line': lambda t: str(min(t['position'] or 0, 6)) + ('+' if (t['position'] or 0) >= 6 else ''),
        'priority after': lambda t: 'jumped' if t['jumped'] else 'not jumped',
        'seed': lambda t: t['seed'],
    }
    print('\nwaits (minutes, issue to first call) by priority')
    for p in (True, False):
        group = [t for t in all_tickets if t['priority'] == p]
        if group:
            print(waits('priority' if p else 'normal', group))
    total = sum(abs(t['error']) for t in all_tickets)
    for name, key in groups.items():
        by = defaultdict(list)
        for t in all_tickets:
            by[key(t)].append(t)
        print(f'\nby {name}')
        for k in sorted(by, key=lambda k: (len(k), k) if name == 'seed' else k):
            extra = f'  {sum(abs(t["error"]) for t in by[k]) / total * 100:4.1f}% of |error|' if name == 'seed' else ''
            print(line(k, by[k]) + extra)


if __name__ == '__main__':
    main()
