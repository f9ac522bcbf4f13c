package dev.vantage.probe.plugin.linux;

import java.io.IOException;

/** A libc call failed; carries its errno so that callers can classify the failure. */
public final class ErrnoException extends IOException {
    private final int errno;

    public ErrnoException(String call, int errno) {
        super(call + " failed: " + LibC.describe(errno));
        this.errno = errno;
    }

    /** The errno the call reported, e.g. {@link LibC#EACCES}. */
    public int errno() {
        return errno;
    }
}
