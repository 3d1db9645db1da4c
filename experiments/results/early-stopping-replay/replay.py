"""Offline replay of early-stopping rules on a full-fidelity run that reported every epoch (issue 13).

The run is a quickstart search with search.earlyStopping {rule: median, warmupEpochs: 1, minTrials: 100000}: every trial
reports its epoch previews and none is stopped (curves-<seed>.yaml here). The replay takes its COMPLETE trials in the
order they were asked, with their measured per-epoch times, on 2 slots, and asks a rule at each rung epoch whether to
stop, using only what other trials had reported or finished by then; a stop frees the slot 0.1 s after that epoch. The
sampler is not replayed: every rule sees the full run's own trials, so this measures the stopping decisions alone.
Hypervolume: feasible points (accuracy_drop <= 0.05), objectives normalised by the full run's feasible range,
reference 1.1 (as kompakt compare, over one run). Prints per rule: time to get through all trials (share of the full
run's), trials stopped, share of the full run's final hypervolume kept, and that share at half the full run's time;
then, for MO-ASHA, the full run's front trials and which of them it stops.

    python3 replay.py RUN_DIR
"""
import json, sys, datetime, heapq
OBJ = [('accuracy', -1), ('latency_ms@rpi4', 1), ('energy_mj@stm32h7', 1), ('size_bytes', 1)]
COST = OBJ[1:]

def ts(s): return datetime.datetime.fromisoformat(s[:26].rstrip('Z')).timestamp()

def load(d):
    T = {}
    for l in open(d + '/trials.jsonl'):
        e = json.loads(l)
        ev = e['event']
        if ev == 'asked': T[e['trial']] = {'asked': ts(e['time']), 'params': e['params'], 'rep': {}}
        elif ev == 'reported': T[e['trial']]['rep'][e['step']] = (ts(e['time']), e['values'])
        elif ev == 'finished':
            T[e['trial']]['end'] = ts(e['time']); T[e['trial']]['state'] = e['state']; T[e['trial']]['m'] = e.get('metrics', {})
    out = []
    for i in sorted(T):
        t = T[i]
        if t.get('state') != 'COMPLETE': continue
        start = t['asked']
        t['d'] = {k: v[0] - start for k, v in t['rep'].items()}
        t['v'] = {k: v[1] for k, v in t['rep'].items()}
        t['D'] = t['end'] - start
        t['id'] = i
        out.append(t)
    return out

def vec(m, objs=OBJ): return tuple(s * m[k] for k, s in objs)
def dominates(a, b): return all(x <= y for x, y in zip(a, b)) and a != b
def feasible(m): return m.get('accuracy_drop', 1) <= 0.05

def hv(points, ref):
    pts = [p for p in points if all(x < r for x, r in zip(p, ref))]
    if not pts: return 0.0
    if len(ref) == 1: return ref[0] - min(p[0] for p in pts)
    pts.sort(key=lambda p: p[0])
    total = 0.0
    for i, p in enumerate(pts):
        nxt = pts[i + 1][0] if i + 1 < len(pts) else ref[0]
        if nxt > p[0]:
            total += (nxt - p[0]) * hv([q[1:] for q in pts[:i + 1]], ref[1:])
    return total

def nds_ranks(pts, dom=dominates):
    n = len(pts); rank = [None] * n; remaining = set(range(n)); r = 0
    while remaining:
        front = [i for i in remaining if not any(dom(pts[j], pts[i]) for j in remaining if j != i)]
        front = front or list(remaining)  # a relation with cycles: the rest share a rank
        for i in front: rank[i] = r
        remaining -= set(front); r += 1
    return rank

def crowding(pts, members):
    dist = {i: 0.0 for i in members}
    for k in range(len(pts[0])):
        s = sorted(members, key=lambda i: pts[i][k])
        lo, hi = pts[s[0]][k], pts[s[-1]][k]
        dist[s[0]] = dist[s[-1]] = float('inf')
        if hi > lo:
            for a in range(1, len(s) - 1):
                dist[s[a]] += (pts[s[a + 1]][k] - pts[s[a - 1]][k]) / (hi - lo)
    return dist

def simulate(trials, rule, slots=2, rungs=(1, 3), stop_overhead=0.1):
    """rule(trial, rung, now, known) -> stop?; known: list of (trial, visible_rung_values, final_or_None)."""
    free = [0.0] * slots; heapq.heapify(free)
    # trials placed in start order; a decision sees the reports and finals, up to its time, of the trials placed before
    # it (an approximation: a trial placed after it but started before its decision, on the other slot, is not seen)
    records = []
    for t in trials:
        start = heapq.heappop(free)
        end = start + t['D']; stopped = None
        for r in rungs:
            if r in t['d'] and r < max(t['d']):
                now = start + t['d'][r]
                known = [(o, {k: v for k, v in o['v'].items() if s + o['d'][k] <= now and (st is None or k <= st)},
                          (o['m'] if st is None and e <= now else None)) for (o, s, e, st) in records]
                if rule(t, r, now, known):
                    stopped = r; end = now + stop_overhead; break
        records.append((t, start, end, stopped))
        heapq.heappush(free, end)
    return records

def moasha(keep_div=3, dom=dominates):
    """at a rung: non-dominated trials go on, then whole ranks up to 1/keep_div of the trials there, the rank that does
    not fit cut by crowding distance (as Stoppers' moasha: TieBreak.NONDOMINATED, accuracy bounds not judged)."""
    def rule(t, r, now, known):
        pts = []
        for o, vis, fin in known:
            v = vis.get(r)
            if v is not None: pts.append(vec(v))
        pts.append(vec(t['v'][r])); j = len(pts) - 1
        keep = max(1, len(pts) // keep_div)
        rank = nds_ranks(pts, dom)
        if rank[j] == 0: return False
        better = sum(1 for x in rank if x < rank[j]); front = [i for i, x in enumerate(rank) if x == rank[j]]
        if better + len(front) <= keep: return False
        if better >= keep: return True
        cd = crowding(pts, front)
        srt = sorted(cd.values())
        return cd[j] < srt[len(srt) - (keep - better)]
    return rule

def oracle(final_front_ids):
    return lambda t, r, now, known: r == 1 and t['id'] not in final_front_ids

def never(t, r, now, known): return False

def report(name, trials, recs, ref, full_time, full_hv):
    end = max(e for _, _, e, _ in recs)
    comp = [(e, t) for t, s, e, st in recs if st is None]
    pts = [vec(t['m']) for e, t in comp if feasible(t['m'])]
    h = hv([norm(p) for p in pts], ref)
    # HV at half the full time
    half = [vec(t['m']) for e, t in comp if feasible(t['m']) and e <= full_time / 2]
    hh = hv([norm(p) for p in half], ref)
    n_stop = sum(1 for r in recs if r[3] is not None)
    print('%-28s time %6.1f s (%3.0f%% of full)  stopped %2d/%d  HV %.4f (%5.1f%% of full)  at half full time %5.1f%%' % (
        name, end, 100 * end / full_time, n_stop, len(recs), h, 100 * h / full_hv, 100 * hh / full_hv))


# ---------------------------------------------------------------- more rules

def gains(known, r):
    g = []
    for o, vis, fin in known:
        if fin is not None and r in o['v']:
            g.append(fin['accuracy'] - o['v'][r]['accuracy'])
    return g

def dominated_by_complete(known, t, r, accuracy):
    """whether a feasible complete trial's final point has costs no worse than t's at rung r and accuracy >= accuracy"""
    cost = vec(t['v'][r], COST)
    return any(fin is not None and feasible(fin) and all(a <= b for a, b in zip(vec(fin, COST), cost))
               and fin['accuracy'] >= accuracy for o, vis, fin in known)

def projected(q=1.0, min_complete=5, extra=0.0):
    """stop if a complete trial's final point dominates the trial's costs and its rung accuracy + the q-quantile of the
    gains (final - value at this rung) seen so far among complete trials (+ extra)."""
    def rule(t, r, now, known):
        g = sorted(gains(known, r))
        if len(g) < min_complete: return False
        G = g[min(len(g) - 1, int(q * (len(g) - 1) + 0.5))] + extra
        return dominated_by_complete(known, t, r, t['v'][r]['accuracy'] + G)
    return rule

def projected_level(min_complete=5, band=0.02, extra=0.0):
    """as projected, with the gain bound taken from complete trials that stood at about the same accuracy at the rung
    (within band below or above): the best final they reached, + extra."""
    def rule(t, r, now, known):
        a = t['v'][r]['accuracy']
        comp = [(o['v'][r]['accuracy'], fin['accuracy']) for o, vis, fin in known if fin is not None and r in o['v']]
        if len(comp) < min_complete: return False
        near = [f - x for x, f in comp if abs(x - a) <= band]
        if not near: return False
        return dominated_by_complete(known, t, r, a + max(near) + extra)
    return rule

def guarded(base, guard):
    return lambda t, r, now, known: base(t, r, now, known) and guard(t, r, now, known)

EXTRA_RULES = {
    'projected max gain': projected(1.0),
    'projected q0.9': projected(0.9),
    'projected q0.75': projected(0.75),
    'projected q0.5': projected(0.5),
    'level band .02': projected_level(band=0.02),
    'level band .05': projected_level(band=0.05),
    'moasha & projected max': guarded(moasha(3), projected(1.0)),
    'moasha | projected q.75': (lambda a, b: (lambda *x: a(*x) or b(*x)))(moasha(3), projected(0.75)),
}

def moasha_eps(eps, keep_div=3):
    """moasha where a trial at a rung is dominated only by one at least eps more accurate (costs no worse)."""
    return moasha(keep_div, lambda a, b: a[0] <= b[0] - eps and all(x <= y for x, y in zip(a[1:], b[1:])))

def stratified(base, key):
    """base, judging a trial only against trials with the same value of parameter key (e.g. prune.schedule)."""
    def rule(t, r, now, known):
        k = t['params'].get(key)
        return base(t, r, now, [x for x in known if x[0]['params'].get(key) == k])
    return rule

EXTRA_RULES.update({'moasha, agp trials never stopped':
                    lambda t, r, now, known: t['params'].get('prune.schedule') != 'agp' and moasha(3)(t, r, now, known)})
EXTRA_RULES.update({'moasha within the same prune.schedule': stratified(moasha(3), 'prune.schedule')})

EXTRA_RULES.update({
    'moasha eps .01': moasha_eps(0.01),
    'moasha eps .02': moasha_eps(0.02),
})
EXTRA_RULES.update({
    'moasha minEpochs 2 (rungs 2, 6)': (moasha(3), (2, 6)),
    'moasha rf 2 (rungs 1, 2, 4)': (moasha(2), (1, 2, 4)),
})



def false_stops(sys_argv_dir):
    trials = load(sys_argv_dir)
    feas = [vec(t['m']) for t in trials if feasible(t['m'])]
    front = {t['id'] for t in trials if feasible(t['m']) and not any(dominates(q, vec(t['m'])) for q in feas)}
    recs = simulate(trials, moasha(3))
    def desc(p): return 'w%s sp%.2f %s q%s%s'%(p.get('student.width'),p.get('prune.sparsity',0),p.get('prune.schedule','-'),p.get('quant.weight_bits'),' kd' if p.get('distill.enabled') else '')
    for t, s, e, st in recs:
        tag = ('FRONT' if t['id'] in front else '     ') + (' stopped@%d' % st if st else '')
        if t['id'] in front or st:
            print('%3d %-22s r1 %.3f final %.4f size %6d %s' % (t['id'], desc(t['params']), t['v'][1]['accuracy'], t['m']['accuracy'], t['m']['size_bytes'], tag))

if __name__ == '__main__':
    trials = load(sys.argv[1])
    feas = [vec(t['m']) for t in trials if feasible(t['m'])]
    lo = [min(p[k] for p in feas) for k in range(4)]; hi = [max(p[k] for p in feas) for k in range(4)]
    def norm(p): return tuple((x - l) / (h - l) if h > l else 0.0 for x, l, h in zip(p, lo, hi))
    ref = (1.1,) * 4
    full = simulate(trials, never)
    full_time = max(e for _, _, e, _ in full)
    full_hv = hv([norm(p) for p in feas], ref)
    front_ids = {t['id'] for t in trials if feasible(t['m']) and not any(dominates(q, vec(t['m'])) for q in feas)}
    print('trials', len(trials), 'front', len(front_ids), 'full HV %.4f' % full_hv, 'simulated full time %.1f' % full_time)
    rules = {'none': never, 'oracle (rung 1)': oracle(front_ids), 'moasha (rungs 1, 3)': moasha(3)}
    rules.update(EXTRA_RULES)
    for name, rule in rules.items():
        rungs = (1, 3)
        if isinstance(rule, tuple): rule, rungs = rule
        report(name, trials, simulate(trials, rule, rungs=rungs), ref, full_time, full_hv)
    print()
    false_stops(sys.argv[1])
