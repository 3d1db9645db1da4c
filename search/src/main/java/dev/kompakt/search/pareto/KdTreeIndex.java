package dev.kompakt.search.pareto;

import java.util.Arrays;

/**
 * A {@link FrontIndex} over three or more coordinates: a bucket k-d tree (Bentley, CACM 1975) whose every node
 * keeps the bounding box of its points. A query for point p skips a node whose lower corner is not {@code <= p}
 * (nothing inside can be) and answers yes at once when the node's upper corner is {@code <= p} (everything inside
 * is). Points arrive one at a time, so the tree is kept balanced the scapegoat way (Galperin & Rivest 1993): a
 * subtree one of whose children holds more than {@link #ALPHA} of its points is rebuilt around medians, which
 * bounds the depth by O(log n) whatever the insertion order.
 */
final class KdTreeIndex implements FrontIndex {
    private static final int BUCKET = 16;
    private static final double ALPHA = 0.75;

    private final double[] coords;
    private final int dims;
    private Node root;

    KdTreeIndex(double[] coords, int dims) {
        this.coords = coords;
        this.dims = dims;
    }

    private static final class Node {
        final double[] lo;
        final double[] hi;
        int size;
        int[] items; // the points of a leaf; null for an inner node
        int cutDim;
        double cut; // a point goes left when its coordinate cutDim is < cut
        Node left;
        Node right;

        Node(int dims) {
            lo = new double[dims];
            hi = new double[dims];
        }
    }

    @Override
    public boolean weaklyDominates(int point) {
        return root != null && search(root, point * dims);
    }

    private boolean search(Node node, int offset) {
        boolean all = true;
        for (int k = 0; k < dims; k++) {
            double v = coords[offset + k];
            if (node.lo[k] > v) {
                return false;
            }
            if (node.hi[k] > v) {
                all = false;
            }
        }
        if (all) {
            return true;
        }
        if (node.items == null) {
            return search(node.left, offset) || search(node.right, offset);
        }
        for (int i = 0; i < node.size; i++) {
            int q = node.items[i] * dims;
            int k = 0;
            while (k < dims && coords[q + k] <= coords[offset + k]) {
                k++;
            }
            if (k == dims) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void add(int point) {
        if (root == null) {
            root = build(new int[]{point}, 1);
            return;
        }
        int offset = point * dims;
        Node scapegoat = null;
        Node scapegoatParent = null;
        Node parent = null;
        Node node = root;
        while (true) {
            node.size++;
            for (int k = 0; k < dims; k++) {
                node.lo[k] = Math.min(node.lo[k], coords[offset + k]);
                node.hi[k] = Math.max(node.hi[k], coords[offset + k]);
            }
            if (node.items != null) {
                break;
            }
            Node child = coords[offset + node.cutDim] < node.cut ? node.left : node.right;
            if (scapegoat == null && node.size > 4 * BUCKET && child.size + 1 > ALPHA * node.size) {
                scapegoat = node;
                scapegoatParent = parent;
            }
            parent = node;
            node = child;
        }
        if (node.size > node.items.length) {
            node.items = Arrays.copyOf(node.items, 2 * node.items.length);
        }
        node.items[node.size - 1] = point;
        if (scapegoat != null) {
            replace(scapegoatParent, scapegoat, rebuild(scapegoat));
        } else if (node.size > BUCKET && splittable(node)) {
            replace(parent, node, rebuild(node));
        }
    }

    private boolean splittable(Node node) {
        for (int k = 0; k < dims; k++) {
            if (node.hi[k] > node.lo[k]) {
                return true;
            }
        }
        return false;
    }

    private void replace(Node parent, Node old, Node fresh) {
        if (parent == null) {
            root = fresh;
        } else if (parent.left == old) {
            parent.left = fresh;
        } else {
            parent.right = fresh;
        }
    }

    private Node rebuild(Node node) {
        int[] items = new int[node.size];
        int n = collect(node, items, 0);
        return build(items, n);
    }

    private int collect(Node node, int[] into, int at) {
        if (node.items != null) {
            System.arraycopy(node.items, 0, into, at, node.size);
            return at + node.size;
        }
        return collect(node.right, into, collect(node.left, into, at));
    }

    /** A balanced subtree over {@code items[0..n)}: cut at the median of the widest coordinate. */
    private Node build(int[] items, int n) {
        Node node = new Node(dims);
        node.size = n;
        Arrays.fill(node.lo, Double.POSITIVE_INFINITY);
        Arrays.fill(node.hi, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            int q = items[i] * dims;
            for (int k = 0; k < dims; k++) {
                node.lo[k] = Math.min(node.lo[k], coords[q + k]);
                node.hi[k] = Math.max(node.hi[k], coords[q + k]);
            }
        }
        int widest = 0;
        for (int k = 1; k < dims; k++) {
            if (node.hi[k] - node.lo[k] > node.hi[widest] - node.lo[widest]) {
                widest = k;
            }
        }
        if (n <= BUCKET || !(node.hi[widest] > node.lo[widest])) {
            // a small bucket, or points all equal in these coordinates (then no cut separates them)
            node.items = Arrays.copyOf(items, Math.max(n, BUCKET) + 1);
            return node;
        }
        double[] keys = new double[n];
        for (int i = 0; i < n; i++) {
            keys[i] = coords[items[i] * dims + widest];
        }
        Arrays.sort(keys);
        double cut = keys[n / 2];
        if (cut == keys[0]) { // everything below the median equals the minimum: cut just above it
            int i = n / 2;
            while (keys[i] == cut) {
                i++;
            }
            cut = keys[i];
        }
        int[] left = new int[n];
        int[] right = new int[n];
        int nl = 0;
        int nr = 0;
        for (int i = 0; i < n; i++) {
            if (coords[items[i] * dims + widest] < cut) {
                left[nl++] = items[i];
            } else {
                right[nr++] = items[i];
            }
        }
        node.cutDim = widest;
        node.cut = cut;
        node.left = build(left, nl);
        node.right = build(right, nr);
        return node;
    }
}
