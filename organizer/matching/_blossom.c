/* Maximum-weight matching in a general graph: Edmonds' blossom algorithm, primal-dual, O(n^3).
 *
 * The algorithm and its structure (blossoms numbered n..2n-1, endpoints 2k and 2k+1 of edge k,
 * integer duals starting at the largest weight so that integer weights need no fractions, the
 * least-slack edge per blossom) follow Joris van Rantwijk's mwmatching.py, which networkx's
 * max_weight_matching and rustworkx's are ports of; see Z. Galil, "Efficient algorithms for
 * finding maximum matching in graphs", ACM Computing Surveys 18 (1986).  This is our own C
 * rendering of it on flat arrays (no per-call allocation of Python or Rust objects), called
 * through ctypes by organizer/matching/cblossom.py.  On the tied, sparse graphs the solver's
 * exact steps hand over it is several times faster than rustworkx's (bench/matching.py).
 *
 * Build: cc -O2 -shared -fPIC -o _blossom.so.1 _blossom.c   (the Makefile's install does it)
 *
 * gf_max_weight_matching(n, m, ei, ej, ew, max_cardinality, mate, dual, parent) -> 0, or < 0 on
 * an internal inconsistency or no memory (the caller then falls back to rustworkx).  mate[v]:
 * v's partner, or -1.  Edges: 0 <= ei[k], ej[k] < n, ei[k] != ej[k], each pair at most once.
 * dual and parent (2n each, or NULL): the optimal duals the algorithm ends with, a vertex's
 * (0..n-1) and a blossom's (n..2n-1), and each one's nearest enclosing blossom whose dual is
 * positive (-1: none; a blossom nobody's parent chain reaches is unused; those of dual 0 are
 * skipped: the odd sets the bound reads, without walking the nesting): every pair {i, j} has
 * dual[i] + dual[j] - 2 w + 2 * (the duals of the blossoms holding both) >= 0, 0 on the matched
 * ones, and (not max_cardinality) dual[v] = 0 for every unmatched v.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int64_t i64;

typedef struct {
    int n, m, maxcard;
    const int32_t *ei, *ej;
    const i64 *ew;
    int32_t *endpoint;    /* 2m: endpoint[2k] = ei[k], endpoint[2k+1] = ej[k] */
    int32_t *nb_start;    /* n+1: CSR of neighbend */
    int32_t *nb;          /* 2m: remote endpoints p of each vertex's edges */
    int32_t *mate;        /* n: remote endpoint of the matched edge, or -1 */
    int32_t *label;       /* 2n */
    int32_t *labelend;    /* 2n */
    int32_t *inblossom;   /* n */
    int32_t *bparent;     /* 2n */
    int32_t **bchilds;    /* 2n: malloc'd lists (blossoms only) */
    int32_t **bendps;     /* 2n */
    int32_t *blen;        /* 2n: length of bchilds / bendps */
    int32_t *bbase;       /* 2n */
    int32_t *bestedge;    /* 2n */
    int32_t **bbest;      /* 2n: blossombestedges lists, or NULL */
    int32_t *bbestlen;    /* 2n */
    int32_t *unused;      /* n: stack of free blossom ids */
    int nunused;
    i64 *dual;            /* 2n */
    unsigned char *allowedge; /* m */
    int32_t *queue;
    int qlen, qcap;
    int32_t *leaves;      /* n: scratch for blossom leaves */
    int32_t *stack;       /* 2n: scratch for the leaves walk */
    int32_t *bestedgeto;  /* 2n: scratch for add_blossom, all -1 between its calls */
    int32_t *touched;     /* 2n: scratch for add_blossom */
    int err;
} St;

static inline i64 slack(St *s, int k) {
    return s->dual[s->ei[k]] + s->dual[s->ej[k]] - 2 * s->ew[k];
}

/* the vertices of blossom b (or b itself) into s->leaves; returns their count */
static int leaves_of(St *s, int b) {
    int count = 0, top = 0;
    if (b < s->n) {
        s->leaves[0] = b;
        return 1;
    }
    s->stack[top++] = b;
    while (top) {
        int x = s->stack[--top];
        if (x < s->n) {
            s->leaves[count++] = x;
            continue;
        }
        for (int c = s->blen[x] - 1; c >= 0; c--) s->stack[top++] = s->bchilds[x][c];
    }
    return count;
}

static void push(St *s, int v) {
    if (s->qlen == s->qcap) {
        int cap = s->qcap * 2 + 16;
        int32_t *q = realloc(s->queue, sizeof(int32_t) * (size_t)cap);
        if (!q) {
            s->err = -2;
            return;
        }
        s->queue = q;
        s->qcap = cap;
    }
    s->queue[s->qlen++] = v;
}

static void assign_label(St *s, int w, int t, int p) {
    for (;;) {
        int b = s->inblossom[w];
        if (s->label[w] != 0 || s->label[b] != 0) {
            s->err = -3;
            return;
        }
        s->label[w] = s->label[b] = t;
        s->labelend[w] = s->labelend[b] = p;
        s->bestedge[w] = s->bestedge[b] = -1;
        if (t == 1) {
            int c = leaves_of(s, b);
            for (int i = 0; i < c; i++) push(s, s->leaves[i]);
            return;
        }
        int base = s->bbase[b];
        int mb = s->mate[base];
        if (mb < 0) {
            s->err = -4;
            return;
        }
        w = s->endpoint[mb];
        t = 1;
        p = mb ^ 1;
    }
}

/* trace back from v and w to the root; the base of a new blossom, or -1 for an augmenting path */
static int scan_blossom(St *s, int v, int w) {
    int base = -1;
    int32_t *path = s->stack; /* free here: no leaves walk while tracing */
    int np = 0;
    while (v != -1 || w != -1) {
        int b = s->inblossom[v];
        if (s->label[b] & 4) {
            base = s->bbase[b];
            break;
        }
        path[np++] = b;
        s->label[b] = 5;
        if (s->labelend[b] == -1) {
            v = -1;
        } else {
            v = s->endpoint[s->labelend[b]];
            b = s->inblossom[v];
            v = s->endpoint[s->labelend[b]];
        }
        if (w != -1) {
            int t = v;
            v = w;
            w = t;
        }
    }
    for (int i = 0; i < np; i++) s->label[path[i]] = 1;
    return base;
}

/* add_blossom's step: edge kk to S-blossom bj, kept if it is the first or has less slack than the
 * one kept; returns the count of blossoms touched (bestedgeto / touched, see add_blossom). */
static inline int least_to(St *s, int bj, int kk, int nt) {
    int32_t *to = s->bestedgeto;
    if (to[bj] == -1) {
        to[bj] = kk;
        s->touched[nt++] = bj;
    } else if (slack(s, kk) < slack(s, to[bj])) {
        to[bj] = kk;
    }
    return nt;
}

static void add_blossom(St *s, int base, int k) {
    int v = s->ei[k], w = s->ej[k];
    int bb = s->inblossom[base], bv = s->inblossom[v], bw = s->inblossom[w];
    if (!s->nunused) {
        s->err = -5;
        return;
    }
    int b = s->unused[--s->nunused];
    s->bbase[b] = base;
    s->bparent[b] = -1;
    s->bparent[bb] = b;
    /* the children: the v side reversed, the base, the w side */
    int cnt_v = 0, cnt_w = 0;
    for (int x = bv; x != bb; x = s->inblossom[s->endpoint[s->labelend[x]]]) cnt_v++;
    for (int x = bw; x != bb; x = s->inblossom[s->endpoint[s->labelend[x]]]) cnt_w++;
    int len = cnt_v + 1 + cnt_w;
    int32_t *ch = malloc(sizeof(int32_t) * (size_t)len);
    int32_t *ep = malloc(sizeof(int32_t) * (size_t)len);
    if (!ch || !ep) {
        free(ch);
        free(ep);
        s->err = -2;
        return;
    }
    ch[0] = bb;
    int i = cnt_v;
    while (bv != bb) {
        s->bparent[bv] = b;
        ch[i] = bv;
        ep[i - 1] = s->labelend[bv];
        v = s->endpoint[s->labelend[bv]];
        bv = s->inblossom[v];
        i--;
    }
    ep[cnt_v] = 2 * k;
    i = cnt_v + 1;
    while (bw != bb) {
        s->bparent[bw] = b;
        ch[i] = bw;
        ep[i] = s->labelend[bw] ^ 1;
        w = s->endpoint[s->labelend[bw]];
        bw = s->inblossom[w];
        i++;
    }
    s->bchilds[b] = ch;
    s->bendps[b] = ep;
    s->blen[b] = len;
    s->label[b] = 1;
    s->labelend[b] = s->labelend[bb];
    s->dual[b] = 0;
    int c = leaves_of(s, b);
    for (int q = 0; q < c; q++) {
        int x = s->leaves[q];
        if (s->label[s->inblossom[x]] == 2) push(s, x);
        s->inblossom[x] = b;
    }
    /* the least-slack edge from b to each other S-blossom (``to`` is all -1 between calls; the
     * blossoms it touched are listed in ``touched``, so that neither step walks all 2n) */
    int32_t *to = s->bestedgeto;
    int32_t *touched = s->touched;
    int nt = 0;
    for (int ci = 0; ci < len; ci++) {
        int sub = ch[ci];
        if (s->bbest[sub] == NULL) {
            int cl = leaves_of(s, sub);
            for (int q = 0; q < cl; q++) {
                int x = s->leaves[q];
                for (int e = s->nb_start[x]; e < s->nb_start[x + 1]; e++) {
                    int kk = s->nb[e] >> 1;
                    int bj = s->inblossom[s->endpoint[s->nb[e]]];
                    if (bj != b && s->label[bj] == 1) nt = least_to(s, bj, kk, nt);
                }
            }
        } else {
            for (int q = 0; q < s->bbestlen[sub]; q++) {
                int kk = s->bbest[sub][q];
                int jj = s->ej[kk];
                if (s->inblossom[jj] == b) jj = s->ei[kk];
                int bj = s->inblossom[jj];
                if (bj != b && s->label[bj] == 1) nt = least_to(s, bj, kk, nt);
            }
            free(s->bbest[sub]);
        }
        s->bbest[sub] = NULL;
        s->bbestlen[sub] = 0;
        s->bestedge[sub] = -1;
    }
    int32_t *list = malloc(sizeof(int32_t) * (size_t)(nt ? nt : 1));
    if (!list) {
        s->err = -2;
        return;
    }
    int best = -1;
    i64 bestslack = 0;
    for (int q = 0; q < nt; q++) {
        int kk = to[touched[q]];
        to[touched[q]] = -1;
        list[q] = kk;
        i64 sl = slack(s, kk);
        if (best == -1 || sl < bestslack) {
            best = kk;
            bestslack = sl;
        }
    }
    s->bbest[b] = list;
    s->bbestlen[b] = nt;
    s->bestedge[b] = best;
}

static inline int wrap(int j, int len) {
    j %= len;
    return j < 0 ? j + len : j;
}

/* Where child c sits in blossom b's cycle of children, and the way round to the base (child 0)
 * that passes an even number of them: *j its position (less len when counted backwards), *jstep
 * the step (+1 or -1), *trick which endpoint of bendps to read.  0 when c is not a child of b. */
static int walk_to_base(St *s, int b, int c, int *j, int *jstep, int *trick) {
    int len = s->blen[b];
    int i = 0;
    while (i < len && s->bchilds[b][i] != c) i++;
    if (i == len) return 0;
    if (i & 1) {
        *j = i - len;
        *jstep = 1;
        *trick = 0;
    } else {
        *j = i;
        *jstep = -1;
        *trick = 1;
    }
    return 1;
}

static void free_blossom(St *s, int b) {
    free(s->bchilds[b]);
    free(s->bendps[b]);
    free(s->bbest[b]);
    s->bchilds[b] = s->bendps[b] = s->bbest[b] = NULL;
    s->blen[b] = s->bbestlen[b] = 0;
}

static void expand_blossom(St *s, int b, int endstage) {
    int n = s->n;
    int len = s->blen[b];
    int32_t *ch = s->bchilds[b];
    int32_t *ep = s->bendps[b];
    for (int ci = 0; ci < len; ci++) {
        int sub = ch[ci];
        s->bparent[sub] = -1;
        if (sub < n) {
            s->inblossom[sub] = sub;
        } else if (endstage && s->dual[sub] == 0) {
            expand_blossom(s, sub, endstage);
            if (s->err) return;
        } else {
            int c = leaves_of(s, sub);
            for (int q = 0; q < c; q++) s->inblossom[s->leaves[q]] = sub;
        }
    }
    if (!endstage && s->label[b] == 2) {
        int entrychild = s->inblossom[s->endpoint[s->labelend[b] ^ 1]];
        int j, jstep, trick;
        if (!walk_to_base(s, b, entrychild, &j, &jstep, &trick)) {
            s->err = -6;
            return;
        }
        int p = s->labelend[b];
        while (j != 0) {
            s->label[s->endpoint[p ^ 1]] = 0;
            s->label[s->endpoint[ep[wrap(j - trick, len)] ^ trick ^ 1]] = 0;
            assign_label(s, s->endpoint[p ^ 1], 2, p);
            if (s->err) return;
            s->allowedge[ep[wrap(j - trick, len)] >> 1] = 1;
            j += jstep;
            p = ep[wrap(j - trick, len)] ^ trick;
            s->allowedge[p >> 1] = 1;
            j += jstep;
        }
        int bv = ch[wrap(j, len)];
        s->label[s->endpoint[p ^ 1]] = s->label[bv] = 2;
        s->labelend[s->endpoint[p ^ 1]] = s->labelend[bv] = p;
        s->bestedge[bv] = -1;
        j += jstep;
        while (ch[wrap(j, len)] != entrychild) {
            bv = ch[wrap(j, len)];
            if (s->label[bv] == 1) {
                j += jstep;
                continue;
            }
            int c = leaves_of(s, bv);
            int v = -1;
            for (int q = 0; q < c; q++) {
                if (s->label[s->leaves[q]] != 0) {
                    v = s->leaves[q];
                    break;
                }
            }
            if (v >= 0) {
                s->label[v] = 0;
                s->label[s->endpoint[s->mate[s->bbase[bv]]]] = 0;
                assign_label(s, v, 2, s->labelend[v]);
                if (s->err) return;
            }
            j += jstep;
        }
    }
    s->label[b] = s->labelend[b] = -1;
    free_blossom(s, b);
    s->bbase[b] = -1;
    s->bestedge[b] = -1;
    s->unused[s->nunused++] = b;
}

static void augment_blossom(St *s, int b, int v) {
    int n = s->n;
    int t = v;
    while (s->bparent[t] != b) t = s->bparent[t];
    if (t >= n) {
        augment_blossom(s, t, v);
        if (s->err) return;
    }
    int len = s->blen[b];
    int32_t *ch = s->bchilds[b];
    int32_t *ep = s->bendps[b];
    int j, jstep, trick;
    if (!walk_to_base(s, b, t, &j, &jstep, &trick)) {
        s->err = -7;
        return;
    }
    int i = j < 0 ? j + len : j;
    while (j != 0) {
        j += jstep;
        t = ch[wrap(j, len)];
        int p = ep[wrap(j - trick, len)] ^ trick;
        if (t >= n) {
            augment_blossom(s, t, s->endpoint[p]);
            if (s->err) return;
        }
        j += jstep;
        t = ch[wrap(j, len)];
        if (t >= n) {
            augment_blossom(s, t, s->endpoint[p ^ 1]);
            if (s->err) return;
        }
        s->mate[s->endpoint[p]] = p ^ 1;
        s->mate[s->endpoint[p ^ 1]] = p;
    }
    /* rotate so that the child holding v comes first */
    if (i) {
        int32_t *tmp = malloc(sizeof(int32_t) * (size_t)len);
        if (!tmp) {
            s->err = -2;
            return;
        }
        memcpy(tmp, ch + i, sizeof(int32_t) * (size_t)(len - i));
        memcpy(tmp + len - i, ch, sizeof(int32_t) * (size_t)i);
        memcpy(ch, tmp, sizeof(int32_t) * (size_t)len);
        memcpy(tmp, ep + i, sizeof(int32_t) * (size_t)(len - i));
        memcpy(tmp + len - i, ep, sizeof(int32_t) * (size_t)i);
        memcpy(ep, tmp, sizeof(int32_t) * (size_t)len);
        free(tmp);
    }
    s->bbase[b] = s->bbase[ch[0]];
    if (s->bbase[b] != v) s->err = -8;
}

static void augment_matching(St *s, int k) {
    int n = s->n;
    for (int side = 0; side < 2; side++) {
        int sv = side ? s->ej[k] : s->ei[k];
        int p = side ? 2 * k : 2 * k + 1;
        for (;;) {
            int bs = s->inblossom[sv];
            if (s->label[bs] != 1) {
                s->err = -9;
                return;
            }
            if (bs >= n) {
                augment_blossom(s, bs, sv);
                if (s->err) return;
            }
            s->mate[sv] = p;
            if (s->labelend[bs] == -1) break;
            int t = s->endpoint[s->labelend[bs]];
            int bt = s->inblossom[t];
            if (s->label[bt] != 2) {
                s->err = -10;
                return;
            }
            sv = s->endpoint[s->labelend[bt]];
            int j = s->endpoint[s->labelend[bt] ^ 1];
            if (bt >= n) {
                augment_blossom(s, bt, j);
                if (s->err) return;
            }
            s->mate[j] = s->labelend[bt];
            p = s->labelend[bt] ^ 1;
        }
    }
}

static int run(St *s) {
    int n = s->n, m = s->m;
    for (int stage = 0; stage < n; stage++) {
        for (int b = 0; b < 2 * n; b++) {
            s->label[b] = 0;
            s->bestedge[b] = -1;
        }
        for (int b = n; b < 2 * n; b++) {
            free(s->bbest[b]);
            s->bbest[b] = NULL;
            s->bbestlen[b] = 0;
        }
        memset(s->allowedge, 0, (size_t)m);
        s->qlen = 0;
        for (int v = 0; v < n; v++) {
            if (s->mate[v] == -1 && s->label[s->inblossom[v]] == 0) assign_label(s, v, 1, -1);
            if (s->err) return s->err;
        }
        int augmented = 0;
        for (;;) {
            while (s->qlen && !augmented) {
                int v = s->queue[--s->qlen];
                for (int e = s->nb_start[v]; e < s->nb_start[v + 1]; e++) {
                    int p = s->nb[e];
                    int k = p >> 1;
                    int w = s->endpoint[p];
                    if (s->inblossom[v] == s->inblossom[w]) continue;
                    i64 kslack = 0;
                    if (!s->allowedge[k]) {
                        kslack = slack(s, k);
                        if (kslack <= 0) s->allowedge[k] = 1;
                    }
                    int bw = s->inblossom[w];
                    if (s->allowedge[k]) {
                        if (s->label[bw] == 0) {
                            assign_label(s, w, 2, p ^ 1);
                        } else if (s->label[bw] == 1) {
                            int base = scan_blossom(s, v, w);
                            if (base >= 0) {
                                add_blossom(s, base, k);
                            } else {
                                augment_matching(s, k);
                                augmented = 1;
                            }
                        } else if (s->label[w] == 0) {
                            s->label[w] = 2;
                            s->labelend[w] = p ^ 1;
                        }
                        if (s->err) return s->err;
                        if (augmented) break;
                    } else if (s->label[bw] == 1) {
                        int b = s->inblossom[v];
                        if (s->bestedge[b] == -1 || kslack < slack(s, s->bestedge[b])) s->bestedge[b] = k;
                    } else if (s->label[w] == 0) {
                        if (s->bestedge[w] == -1 || kslack < slack(s, s->bestedge[w])) s->bestedge[w] = k;
                    }
                }
            }
            if (augmented) break;
            int deltatype = -1, deltaedge = -1, deltablossom = -1;
            i64 delta = 0;
            if (!s->maxcard) {
                deltatype = 1;
                delta = s->dual[0];
                for (int v = 1; v < n; v++)
                    if (s->dual[v] < delta) delta = s->dual[v];
            }
            for (int v = 0; v < n; v++) {
                if (s->label[s->inblossom[v]] == 0 && s->bestedge[v] != -1) {
                    i64 d = slack(s, s->bestedge[v]);
                    if (deltatype == -1 || d < delta) {
                        delta = d;
                        deltatype = 2;
                        deltaedge = s->bestedge[v];
                    }
                }
            }
            for (int b = 0; b < 2 * n; b++) {
                if (s->bparent[b] == -1 && s->label[b] == 1 && s->bestedge[b] != -1) {
                    i64 ks = slack(s, s->bestedge[b]);
                    if (ks & 1) return -11; /* integer weights keep these slacks even */
                    i64 d = ks / 2;
                    if (deltatype == -1 || d < delta) {
                        delta = d;
                        deltatype = 3;
                        deltaedge = s->bestedge[b];
                    }
                }
            }
            for (int b = n; b < 2 * n; b++) {
                if (s->bbase[b] >= 0 && s->bparent[b] == -1 && s->label[b] == 2 &&
                    (deltatype == -1 || s->dual[b] < delta)) {
                    delta = s->dual[b];
                    deltatype = 4;
                    deltablossom = b;
                }
            }
            if (deltatype == -1) {
                deltatype = 1;
                delta = s->dual[0];
                for (int v = 1; v < n; v++)
                    if (s->dual[v] < delta) delta = s->dual[v];
                if (delta < 0) delta = 0;
            }
            for (int v = 0; v < n; v++) {
                int l = s->label[s->inblossom[v]];
                if (l == 1) s->dual[v] -= delta;
                else if (l == 2) s->dual[v] += delta;
            }
            for (int b = n; b < 2 * n; b++) {
                if (s->bbase[b] >= 0 && s->bparent[b] == -1) {
                    if (s->label[b] == 1) s->dual[b] += delta;
                    else if (s->label[b] == 2) s->dual[b] -= delta;
                }
            }
            if (deltatype == 1) break;
            if (deltatype == 2) {
                s->allowedge[deltaedge] = 1;
                int i = s->ei[deltaedge], j = s->ej[deltaedge];
                if (s->label[s->inblossom[i]] == 0) i = j;
                push(s, i);
            } else if (deltatype == 3) {
                s->allowedge[deltaedge] = 1;
                push(s, s->ei[deltaedge]);
            } else {
                expand_blossom(s, deltablossom, 0);
            }
            if (s->err) return s->err;
        }
        if (!augmented) break;
        for (int b = n; b < 2 * n; b++) {
            if (s->bparent[b] == -1 && s->bbase[b] >= 0 && s->label[b] == 1 && s->dual[b] == 0) {
                expand_blossom(s, b, 1);
                if (s->err) return s->err;
            }
        }
    }
    return 0;
}

int gf_max_weight_matching(int n, int m, const int32_t *ei, const int32_t *ej, const i64 *ew,
                           int max_cardinality, int32_t *mate_out, i64 *dual_out, int32_t *parent_out) {
    for (int v = 0; v < n; v++) mate_out[v] = -1;
    for (int b = 0; b < 2 * n; b++) {
        if (dual_out) dual_out[b] = 0;
        if (parent_out) parent_out[b] = -1;
    }
    if (n < 2 || m < 1) return 0;
    St st;
    St *s = &st;
    memset(s, 0, sizeof(St));
    s->n = n;
    s->m = m;
    s->maxcard = max_cardinality;
    s->ei = ei;
    s->ej = ej;
    s->ew = ew;
    size_t n2 = 2 * (size_t)n;
    s->endpoint = malloc(sizeof(int32_t) * 2 * (size_t)m);
    s->nb_start = calloc((size_t)n + 1, sizeof(int32_t));
    s->nb = malloc(sizeof(int32_t) * 2 * (size_t)m);
    s->mate = malloc(sizeof(int32_t) * (size_t)n);
    s->label = malloc(sizeof(int32_t) * n2);
    s->labelend = malloc(sizeof(int32_t) * n2);
    s->inblossom = malloc(sizeof(int32_t) * (size_t)n);
    s->bparent = malloc(sizeof(int32_t) * n2);
    s->bchilds = calloc(n2, sizeof(int32_t *));
    s->bendps = calloc(n2, sizeof(int32_t *));
    s->blen = calloc(n2, sizeof(int32_t));
    s->bbase = malloc(sizeof(int32_t) * n2);
    s->bestedge = malloc(sizeof(int32_t) * n2);
    s->bbest = calloc(n2, sizeof(int32_t *));
    s->bbestlen = calloc(n2, sizeof(int32_t));
    s->unused = malloc(sizeof(int32_t) * (size_t)n);
    s->dual = malloc(sizeof(i64) * n2);
    s->allowedge = malloc((size_t)m);
    s->leaves = malloc(sizeof(int32_t) * (size_t)n);
    s->stack = malloc(sizeof(int32_t) * n2);
    s->bestedgeto = malloc(sizeof(int32_t) * n2);
    s->touched = malloc(sizeof(int32_t) * n2);
    s->qcap = n + 16;
    s->queue = malloc(sizeof(int32_t) * (size_t)s->qcap);
    int rc = 0;
    if (!s->endpoint || !s->nb_start || !s->nb || !s->mate || !s->label || !s->labelend || !s->inblossom ||
        !s->bparent || !s->bchilds || !s->bendps || !s->blen || !s->bbase || !s->bestedge || !s->bbest ||
        !s->bbestlen || !s->unused || !s->dual || !s->allowedge || !s->leaves || !s->stack ||
        !s->bestedgeto || !s->touched || !s->queue) {
        rc = -2;
        goto done;
    }
    i64 maxw = 0;
    for (int k = 0; k < m; k++) {
        if (ei[k] < 0 || ei[k] >= n || ej[k] < 0 || ej[k] >= n || ei[k] == ej[k]) {
            rc = -1;
            goto done;
        }
        s->endpoint[2 * k] = ei[k];
        s->endpoint[2 * k + 1] = ej[k];
        s->nb_start[ei[k] + 1]++;
        s->nb_start[ej[k] + 1]++;
        if (ew[k] > maxw) maxw = ew[k];
    }
    for (int v = 0; v < n; v++) s->nb_start[v + 1] += s->nb_start[v];
    {
        int32_t *fill = s->bestedgeto; /* scratch: next slot per vertex */
        for (int v = 0; v < n; v++) fill[v] = s->nb_start[v];
        for (int k = 0; k < m; k++) {
            s->nb[fill[ei[k]]++] = 2 * k + 1;
            s->nb[fill[ej[k]]++] = 2 * k;
        }
        for (size_t b = 0; b < n2; b++) fill[b] = -1;
    }
    for (int v = 0; v < n; v++) {
        s->mate[v] = -1;
        s->inblossom[v] = v;
    }
    for (size_t b = 0; b < n2; b++) {
        s->label[b] = 0;
        s->labelend[b] = -1;
        s->bparent[b] = -1;
        s->bbase[b] = b < (size_t)n ? (int32_t)b : -1;
        s->bestedge[b] = -1;
        s->dual[b] = b < (size_t)n ? maxw : 0;
    }
    s->nunused = 0;
    for (int b = 2 * n - 1; b >= n; b--) s->unused[s->nunused++] = b;
    /* A warm start: pairs of the largest weight, taken greedily, are tight at the starting duals
     * (maxw + maxw - 2 maxw = 0) and leave every free vertex at the least dual, so they are a
     * matching the algorithm could have reached; each spares a stage (a scan of every free
     * vertex's edges).  Tied weights have many such pairs: sparse N = 200 0.56 -> 0.3 ms. */
    for (int k = 0; k < m; k++) {
        if (ew[k] == maxw && s->mate[ei[k]] < 0 && s->mate[ej[k]] < 0) {
            s->mate[ei[k]] = 2 * k + 1;
            s->mate[ej[k]] = 2 * k;
        }
    }
    rc = run(s);
    if (rc == 0) {
        for (int v = 0; v < n; v++) mate_out[v] = s->mate[v] >= 0 ? s->endpoint[s->mate[v]] : -1;
        if (dual_out)
            for (size_t b = 0; b < n2; b++) dual_out[b] = s->dual[b];
        if (parent_out)
            for (size_t b = 0; b < n2; b++) {
                int32_t p = s->bparent[b];
                while (p >= 0 && s->dual[p] <= 0) p = s->bparent[p];
                parent_out[b] = p;
            }
        for (int v = 0; v < n; v++) {
            if (mate_out[v] >= 0 && mate_out[mate_out[v]] != v) rc = -12;
        }
    }
done:
    if (s->bchilds)
        for (size_t b = 0; b < n2; b++) {
            free(s->bchilds[b]);
            free(s->bendps[b]);
            free(s->bbest[b]);
        }
    free(s->endpoint);
    free(s->nb_start);
    free(s->nb);
    free(s->mate);
    free(s->label);
    free(s->labelend);
    free(s->inblossom);
    free(s->bparent);
    free(s->bchilds);
    free(s->bendps);
    free(s->blen);
    free(s->bbase);
    free(s->bestedge);
    free(s->bbest);
    free(s->bbestlen);
    free(s->unused);
    free(s->dual);
    free(s->allowedge);
    free(s->leaves);
    free(s->stack);
    free(s->bestedgeto);
    free(s->touched);
    free(s->queue);
    return rc;
}
