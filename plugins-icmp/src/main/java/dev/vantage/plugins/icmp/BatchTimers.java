package dev.vantage.plugins.icmp;

import java.util.Arrays;

/**
 * The channel thread's timers: batches by their next event, in a binary heap whose keys sit in a {@code long[]} so
 * that sifting does not touch (and miss the cache on) the batches themselves; each batch knows its slot, so one that
 * settles early leaves at once. Not thread-safe.
 */
final class BatchTimers {
    private long[] keys = new long[1024];
    private EchoBatch[] batches = new EchoBatch[1024];
    private int size;

    int size() {
        return size;
    }

    /** The earliest batch, or null. */
    EchoBatch peek() {
        return size == 0 ? null : batches[0];
    }

    /** Adds a batch that is not in the heap, keyed by its {@code nextEvent}. */
    void add(EchoBatch b) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            batches = Arrays.copyOf(batches, size * 2);
        }
        siftUp(size++, b.nextEvent, b);
    }

    /** Removes a batch if it is in the heap. */
    void remove(EchoBatch b) {
        int i = b.timerSlot;
        if (i < 0) {
            return;
        }
        b.timerSlot = -1;
        int last = --size;
        EchoBatch moved = batches[last];
        long key = keys[last];
        batches[last] = null;
        if (i == last) {
            return;
        }
        siftDown(i, key, moved);
        if (batches[i] == moved) {
            siftUp(i, key, moved);
        }
    }

    /** Removes every batch; returns them. */
    EchoBatch[] clear() {
        EchoBatch[] all = Arrays.copyOf(batches, size);
        Arrays.fill(batches, 0, size, null);
        size = 0;
        for (EchoBatch b : all) {
            b.timerSlot = -1;
        }
        return all;
    }

    private void siftUp(int i, long key, EchoBatch b) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] - key <= 0) {
                break;
            }
            place(i, keys[parent], batches[parent]);
            i = parent;
        }
        place(i, key, b);
    }

    private void siftDown(int i, long key, EchoBatch b) {
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < size && keys[child + 1] - keys[child] < 0) {
                child++;
            }
            if (key - keys[child] <= 0) {
                break;
            }
            place(i, keys[child], batches[child]);
            i = child;
        }
        place(i, key, b);
    }

    private void place(int i, long key, EchoBatch b) {
        keys[i] = key;
        batches[i] = b;
        b.timerSlot = i;
    }
}
