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

def rung_decisions(t, rungs):
    """(epoch the decision is made at, epoch whose values it sees): each rung the trial reaches before its last epoch"""
    return [(r, r) for r in rungs if r in t['d'] and r < max(t['d'])]

def reported_by(o, s, st, now):
    """the rung values trial o (started at s, stopped at st or None) had reported by time now"""
    return {k: v for k, v in o['v'].items() if s + o['d'][k] <= now and (st is None or k <= st)}

def simulate(trials, rule, slots=2, rungs=(1, 3), stop_overhead=0.1, decisions=rung_decisions, visible=reported_by):
    """rule(trial, rung, now, known) -> stop?; known: list of (trial, visible_rung_values, final_or_None).
    decisions(t, rungs) and visible(o, start, stopped, now) say when a trial is judged and what others show (defaults:
    the rungs, and what was reported)."""
    free = [0.0] * slots; heapq.heapify(free)
    # trials placed in start order; a decision sees the reports and finals, up to its time, of the trials placed before
    # it (an approximation: a trial placed after it but started before its decision, on the other slot, is not seen)
    records = []
    for t in trials:
        start = heapq.heappop(free)
        end = start + t['D']; stopped = None
        for at, shown in decisions(t, rungs):
            now = start + t['d'][at]
            known = [(o, visible(o, s, st, now), (o['m'] if st is None and e <= now else None)) for (o, s, e, st) in records]
            judged = t if shown == at else {**t, 'v': {**t['v'], at: t['v'][shown]}}
            if rule(judged, at, now, known):
                stopped = at; end = now + stop_overhead; break
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


# ---------------------------------------------------------------- calibrated rung values (a learning-curve model per schedule)

def lstsq(X, y):
    """least squares by the normal equations (a few columns), Gaussian elimination with partial pivoting; None if singular"""
    n = len(X[0])
    A = [[sum(r[i] * r[j] for r in X) for j in range(n)] + [sum(r[i] * v for r, v in zip(X, y))] for i in range(n)]
    for c in range(n):
        piv = max(range(c, n), key=lambda i: abs(A[i][c]))
        if abs(A[piv][c]) < 1e-12: return None
        A[c], A[piv] = A[piv], A[c]
        for i in range(n):
            if i != c:
                f = A[i][c] / A[c][c]
                A[i] = [a - f * b for a, b in zip(A[i], A[c])]
    return [A[i][n] / A[i][i] for i in range(n)]

def calibrated(features, min_n=3, key='prune.schedule'):
    """moasha on rung values whose accuracy is the final accuracy predicted by a linear fit, per value of key, of the
    complete trials' final accuracy on features(trial, rung) (e.g. [1, rung accuracy, target sparsity]); a trial whose
    group has fewer than min_n complete trials with that rung goes on, and trials of such groups are left out."""
    base = moasha(3)
    def rule(t, r, now, known):
        models = {}
        def predict(o):
            k = o['params'].get(key)
            if k not in models:
                comp = [x for x, vis, fin in known if fin is not None and r in x['v'] and x['params'].get(key) == k]
                models[k] = lstsq([features(x, r) for x in comp], [x['m']['accuracy'] for x in comp]) if len(comp) >= min_n else None
            m = models[k]
            return None if m is None else sum(c * f for c, f in zip(m, features(o, r)))
        def cal(o, values):
            a = predict(o)
            return None if a is None else {**values, 'accuracy': a}
        own = cal(t, t['v'][r])
        if own is None: return False
        seen = []
        for o, vis, fin in known:
            if r in vis:
                c = cal(o, vis[r])
                if c is not None: seen.append((o, {r: c}, None))
        return base({**t, 'v': {**t['v'], r: own}}, r, now, seen)
    return rule

EXTRA_RULES.update({
    'moasha, calibrated: value': calibrated(lambda t, r: [1.0, t['v'][r]['accuracy']]),
    'moasha, calibrated: value + sparsity': calibrated(lambda t, r: [1.0, t['v'][r]['accuracy'], t['params'].get('prune.sparsity', 0.0)]),
})


# ---------------------------------------------------------------- agp judged after a shorter ramp (optimistic)

def simulate_after_ramp(trials, rule, frac, **kw):
    """An optimistic stand-in for a gradual schedule whose ramp ended after frac of the training (the runs' ramps span
    all of it): an agp trial is judged once, with its value at the epoch before its last (the ramp done, so the preview
    is the network it ends as), but charged only up to epoch ceil(frac x epochs); other trials at the rungs as usual.
    Other agp trials' values count from their charged epoch on."""
    import math
    def agp(o): return o['params'].get('prune.schedule') == 'agp'
    def charged(o): return max(1, math.ceil(max(o['d']) * frac))
    def decisions(t, rungs):
        return [(charged(t), max(t['d']) - 1)] if agp(t) else rung_decisions(t, rungs)
    def visible(o, s, st, now):
        if not agp(o): return reported_by(o, s, st, now)
        c = charged(o)
        return {k: o['v'][max(o['d']) - 1] for k in o['v'] if s + o['d'][c] <= now and (st is None or c <= st)}
    return simulate(trials, rule, decisions=decisions, visible=visible, **kw)


# ---------------------------------------------------------------- measurement noise: near-identical trials

def twin_key(p): return (p.get('prune.schedule'), p.get('student.width'), p.get('quant.weight_bits'), p.get('distill.enabled'))

def twins_of(t, trials, band=0.05):
    """trials with the same schedule, width, weight bits and distillation switch, target sparsity within band"""
    return [o for o in trials if o is not t and twin_key(o['params']) == twin_key(t['params'])
            and abs(o['params'].get('prune.sparsity', 0) - t['params'].get('prune.sparsity', 0)) <= band]

def corr(a, b):
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    sa = sum((x - ma) ** 2 for x in a) ** 0.5; sb = sum((y - mb) ** 2 for y in b) ** 0.5
    return sab / (sa * sb) if sa > 0 and sb > 0 else float('nan')

def twins(trials, front_ids):
    """how far apart near-identical trials end, whether their rung values tell which ends higher, and the hypervolume
    shares with each trial's accuracy replaced by the mean over it and its twins (what the ranks owe to the draw)"""
    pairs = [(t, o) for t in trials for o in twins_of(t, trials) if o['id'] > t['id']]
    d = [t['m']['accuracy'] - o['m']['accuracy'] for t, o in pairs]
    sd = (sum(x * x for x in d) / len(d) / 2) ** 0.5 if d else float('nan')
    r1 = corr(d, [t['v'][1]['accuracy'] - o['v'][1]['accuracy'] for t, o in pairs])
    r3 = corr(d, [t['v'][3]['accuracy'] - o['v'][3]['accuracy'] for t, o in pairs])
    with_twins = sum(1 for t in trials if t['id'] in front_ids and twins_of(t, trials))
    print('near-identical pairs %d: final accuracy sd per trial %.4f; correlation of their final difference with their '
          'difference at epoch 1 %.2f, at epoch 3 %.2f; front trials with a twin %d of %d' % (
              len(pairs), sd, r1, r3, with_twins, len(front_ids)))
    smooth = {t['id']: {**t['m'], 'accuracy': sum(o['m']['accuracy'] for o in twins_of(t, trials) + [t]) / (len(twins_of(t, trials)) + 1)} for t in trials}
    feas = [smooth[t['id']] for t in trials if feasible(t['m'])]
    lo = [min(vec(m)[k] for m in feas) for k in range(4)]; hi = [max(vec(m)[k] for m in feas) for k in range(4)]
    def nm(m): return tuple((x - l) / (h - l) if h > l else 0.0 for x, l, h in zip(vec(m), lo, hi))
    ref = (1.1,) * 4
    full = hv([nm(m) for m in feas], ref)
    for name, rule in [('moasha (rungs 1, 3)', moasha(3)), ('oracle (rung 1)', oracle(front_ids))]:
        recs = simulate(trials, rule)
        kept = hv([nm(smooth[t['id']]) for t, s, e, st in recs if st is None and feasible(t['m'])], ref)
        print('  twin-smoothed accuracies: %-20s keeps %5.1f%% of the full run\'s hypervolume' % (name, 100 * kept / full))



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
    for frac in (0.5, 0.67):
        report('agp judged after ramp %.2f' % frac, trials, simulate_after_ramp(trials, moasha(3), frac), ref, full_time, full_hv)
    print()
    twins(trials, front_ids)
    print()
    false_stops(sys.argv[1])
