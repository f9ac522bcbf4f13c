package dev.vantage.probe.engine.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Every timed event of the engine (task runs and attempt deadlines) in one indexed binary heap, so that an
 * attempt that finishes early removes its deadline in O(log n) instead of leaving it to expire. Events are run
 * by {@link #runDue(long)}: from one timer thread in real time, or from {@code ManualClock.advance} in virtual
 * time. Actions must be short and must not block: they start threads or complete futures.
 */
public final class TimerQueue {

    /** A scheduled event; cancel it with {@link TimerQueue#cancel(Entry)}. */
    public static final class Entry {
        private long due;
        private long seq;
        private final Runnable action;
        private int index = -1;

        private Entry(long due, long seq, Runnable action) {
            this.due = due;
            this.seq = seq;
            this.action = action;
        }

        public long due() {
            return due;
        }

        boolean before(Entry o) {
            return due < o.due || (due == o.due && seq < o.seq);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Entry[] heap = new Entry[1024];
    private int size;
    private long seq;

    /** Schedules {@code action} at clock time {@code due} (nanoseconds). */
    public Entry schedule(long due, Runnable action) {
        Entry e = new Entry(due, 0, action);
        reschedule(e, due);
        return e;
    }

    /**
     * Queues an entry again, for a repeating event: a scheduled task reuses one entry for all its runs instead of
     * allocating one per run. The entry must not be pending (it has run or was cancelled).
     */
    public void reschedule(Entry e, long due) {
        lock.lock();
        try {
            if (e.index >= 0) {
                throw new IllegalStateException("entry is still pending");
            }
            e.due = due;
            e.seq = seq++;
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            heap[size] = e;
            e.index = size++;
            siftUp(e.index);
            if (heap[0] == e) {
                changed.signal(); // the timer thread may be sleeping towards a later event
            }
        } finally {
            lock.unlock();
        }
    }

    /** Removes every pending event and returns their actions, earliest first (engine closing). */
    public List<Runnable> drain() {
        List<Runnable> actions = new ArrayList<>();
        lock.lock();
        try {
            while (size > 0) {
                actions.add(poll().action);
            }
        } finally {
            lock.unlock();
        }
        return actions;
    }

    /** Removes a pending event; does nothing if it already ran or was cancelled. */
    public void cancel(Entry e) {
        lock.lock();
        try {
            int i = e.index;
            if (i < 0) {
                return;
            }
            Entry last = heap[--size];
            heap[size] = null;
            e.index = -1;
            if (i < size) {
                heap[i] = last;
                last.index = i;
                siftDown(i);
                siftUp(last.index);
            }
        } finally {
            lock.unlock();
        }
    }

    public int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** The due time of the earliest event, or {@link Long#MAX_VALUE} if there is none. */
    public long nextDue() {
        lock.lock();
        try {
            return size == 0 ? Long.MAX_VALUE : heap[0].due;
        } finally {
            lock.unlock();
        }
    }

    /** Runs every event due at or before {@code now}, earliest first, on the calling thread. */
    public void runDue(long now) {
        List<Entry> due = new ArrayList<>();
        while (true) {
            lock.lock();
            try {
                while (size > 0 && heap[0].due <= now && due.size() < 4096) {
                    due.add(poll());
                }
            } finally {
                lock.unlock();
            }
            if (due.isEmpty()) {
                return;
            }
            for (Entry e : due) {
                e.action.run();
            }
            due.clear();
        }
    }

    /**
     * Waits until the earliest event is due by {@code clock}, or until an earlier event is scheduled or the thread is
     * interrupted; returns the clock time to pass to {@link #runDue(long)}.
     */
    public long awaitDue(LongSupplier clock) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (true) {
                long now = clock.getAsLong();
                if (size > 0 && heap[0].due <= now) {
                    return now;
                }
                if (size == 0) {
                    changed.await();
                } else {
                    changed.awaitNanos(Math.min(heap[0].due - now, TimeUnit.SECONDS.toNanos(1)));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private Entry poll() {
        Entry top = heap[0];
        Entry last = heap[--size];
        heap[size] = null;
        top.index = -1;
        if (size > 0) {
            heap[0] = last;
            last.index = 0;
            siftDown(0);
        }
        return top;
    }

    private void siftUp(int i) {
        Entry e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Entry p = heap[parent];
            if (!e.before(p)) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = e;
        e.index = i;
    }

    private void siftDown(int i) {
        Entry e = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].before(heap[child])) {
                child = right;
            }
            if (!heap[child].before(e)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].index = i;
            i = child;
        }
        heap[i] = e;
        e.index = i;
    }
}
