package dev.vantage.probe.engine.internal;

import dev.vantage.probe.engine.EngineClock;
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
 * by {@link #runDue(long)}: from one timer thread in real time, or from a clock that drives them in virtual time
 * ({@link EngineClock#drive}). Actions must be short and must not block: they start threads or complete futures.
 */
public final class TimerQueue implements EngineClock.TimerEvents {

    /** A scheduled event; cancel it with {@link TimerQueue#cancel(Entry)}. */
    public static final class Entry {
        private long due;
        private long seq;
        private final Runnable action;
        private int index = -1; // guarded by the lock
        private volatile boolean inHeap;
        private volatile boolean cancelled;

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
    /** Deadlines not yet in the heap: most attempts end before the timer thread even looks (see scheduleDeferred). */
    private final java.util.concurrent.ConcurrentLinkedQueue<Entry> deferred = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final long DEFERRED_MAX_WAIT_NANOS = 1_000_000;
    /** Set while the timer sleeps longer than the deferred events may wait; schedulers then wake it. */
    private volatile boolean sleepingLong;
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
            e.cancelled = false;
            insert(e, due);
            if (heap[0] == e) {
                changed.signal(); // the timer thread may be sleeping towards a later event
            }
        } finally {
            lock.unlock();
        }
    }

    private void insert(Entry e, long due) {
        e.due = due;
        e.seq = seq++;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = e;
        e.index = size++;
        e.inHeap = true;
        siftUp(e.index);
    }

    /** Removes every pending event and returns their actions, earliest first (engine closing). */
    public List<Runnable> drain() {
        List<Runnable> actions = new ArrayList<>();
        lock.lock();
        try {
            admitDeferred();
            while (size > 0) {
                actions.add(poll().action);
            }
        } finally {
            lock.unlock();
        }
        return actions;
    }

    /**
     * Schedules an event, typically a deadline, without taking the queue's lock: it joins the heap when the timer
     * next runs (within a millisecond), and one cancelled before that never touches the heap. At hundreds of
     * thousands of attempts a second, deadlines that mostly never fire would otherwise make every attempt contend
     * for the lock twice. The event may fire up to a millisecond late.
     */
    public Entry scheduleDeferred(long due, Runnable action) {
        Entry e = new Entry(due, 0, action);
        deferred.offer(e);
        if (sleepingLong) {
            lock.lock(); // rare: the timer is idle and would not look at deferred events for a while
            try {
                changed.signal();
            } finally {
                lock.unlock();
            }
        }
        return e;
    }

    /** Removes a pending event; does nothing if it already ran or was cancelled. */
    public void cancel(Entry e) {
        e.cancelled = true;
        if (!e.inHeap) {
            return; // still deferred (the timer will drop it), or already ran
        }
        lock.lock();
        try {
            int i = e.index;
            if (i < 0) {
                return;
            }
            Entry last = heap[--size];
            heap[size] = null;
            e.index = -1;
            e.inHeap = false;
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

    /** Moves deferred events into the heap; call with the lock held. */
    private void admitDeferred() {
        Entry e;
        while ((e = deferred.poll()) != null) {
            if (!e.cancelled) {
                insert(e, e.due);
            }
        }
    }

    public int size() {
        lock.lock();
        try {
            admitDeferred();
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** The due time of the earliest event, or {@link Long#MAX_VALUE} if there is none. */
    @Override
    public long nextDue() {
        lock.lock();
        try {
            admitDeferred();
            return size == 0 ? Long.MAX_VALUE : heap[0].due;
        } finally {
            lock.unlock();
        }
    }

    /** Runs every event due at or before {@code now}, earliest first, on the calling thread. */
    @Override
    public void runDue(long now) {
        List<Entry> due = new ArrayList<>();
        while (true) {
            lock.lock();
            try {
                admitDeferred();
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
                if (!e.cancelled) {
                    e.action.run();
                }
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
                admitDeferred();
                long now = clock.getAsLong();
                if (size > 0 && heap[0].due <= now) {
                    return now;
                }
                long wait = size == 0 ? TimeUnit.SECONDS.toNanos(1) : Math.min(heap[0].due - now, TimeUnit.SECONDS.toNanos(1));
                // announce a long sleep before looking at the deferred queue, so an event deferred meanwhile
                // is either seen here or wakes us (scheduleDeferred reads the flag after adding)
                sleepingLong = wait > DEFERRED_MAX_WAIT_NANOS;
                if (!deferred.isEmpty()) {
                    sleepingLong = false;
                    wait = Math.min(wait, DEFERRED_MAX_WAIT_NANOS);
                }
                changed.awaitNanos(wait);
                sleepingLong = false;
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
        top.inHeap = false;
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
