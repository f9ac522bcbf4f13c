package dev.vantage.plugins.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The system's resolvers: the {@code nameserver} lines of {@code /etc/resolv.conf}, in order. Read again when the
 * file changes (a DHCP lease, a VPN), checked by its modification time on each use. Thread-safe.
 */
final class ResolvConf {
    private final Path path;
    private volatile Snapshot snapshot = new Snapshot(null, List.of());

    private record Snapshot(FileTime modified, List<InetAddress> servers) {
    }

    ResolvConf(Path path) {
        this.path = path;
    }

    /** The name servers listed now; empty if the file is missing or names none. */
    List<InetAddress> servers() {
        FileTime modified;
        try {
            modified = Files.getLastModifiedTime(path);
        } catch (IOException e) {
            return List.of();
        }
        Snapshot s = snapshot;
        if (!modified.equals(s.modified())) {
            try {
                s = new Snapshot(modified, parse(Files.readAllLines(path)));
            } catch (IOException e) {
                return List.of();
            }
            snapshot = s;
        }
        return s.servers();
    }

    /** The addresses of the {@code nameserver} lines; comments and other options are skipped, as the C library does. */
    static List<InetAddress> parse(List<String> lines) {
        List<InetAddress> servers = new ArrayList<>();
        for (String line : lines) {
            String[] words = line.trim().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver")) {
                InetAddress address = literal(words[1]);
                if (address != null) {
                    servers.add(address);
                }
            }
        }
        return List.copyOf(servers);
    }

    /** An IP literal (IPv6 may carry a zone); anything else, which resolv.conf does not allow, is skipped. */
    private static InetAddress literal(String text) {
        try {
            Endpoint checked = Endpoint.hostPort(text, 53); // refuses names' forms the JDK would read oddly
            return checked.literal() ? InetAddress.getByName(checked.host()) : null; // a literal: no lookup
        } catch (IllegalArgumentException | UnknownHostException e) {
            return null;
        }
    }
}
