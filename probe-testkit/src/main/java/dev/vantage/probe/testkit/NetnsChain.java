package dev.vantage.probe.testkit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A client, {@code routers} routers and a destination, each its own {@link Netns}, joined in a line by veth pairs:
 * link i (1-based, from the client) is {@code 10.<net>.i.0/30} and {@code fd00:<net>:i::/64}, its left end {@code .1}
 * / {@code ::1}, its right end {@code .2} / {@code ::2}. Every node routes the other links through its neighbours,
 * routers forward, and no node rate-limits ICMP, so a trace from the client lists exactly the routers' left-side
 * addresses then the destination. For traceroute tests and benchmarks; needs root (see {@link Netns#assumeAvailable}).
 *
 * <pre>
 *  client .1 --1-- .2 r1 .1 --2-- .2 r2 .1 --3-- .2 r3 .1 --4-- .2 destination   (routers = 3)
 * </pre>
 */
public final class NetnsChain implements AutoCloseable {
    private final int net;
    private final List<Netns> nodes;

    private NetnsChain(int net, List<Netns> nodes) {
        this.net = net;
        this.nodes = nodes; // filled while the chain is built, so that close() deletes what exists
    }

    /**
     * Builds the chain; {@code prefix} names the namespaces ({@code prefix-c}, {@code prefix-r1}, ...,
     * {@code prefix-d}) and {@code net} (1–255) picks the address block {@code 10.<net>.0.0/16}.
     */
    public static NetnsChain create(String prefix, int routers, int net) throws IOException {
        if (routers < 1 || net < 1 || net > 255) {
            throw new IllegalArgumentException("routers >= 1 and net in 1..255: " + routers + ", " + net);
        }
        List<Netns> nodes = new ArrayList<>();
        NetnsChain chain = new NetnsChain(net, nodes);
        try {
            List<String> names = new ArrayList<>(List.of(prefix + "-c"));
            for (int r = 1; r <= routers; r++) {
                names.add(prefix + "-r" + r);
            }
            names.add(prefix + "-d");
            for (String name : names) {
                Netns n = Netns.create(name);
                nodes.add(n);
                // no duplicate address detection: link-local addresses would stay tentative for a second or so,
                // and routers do not forward IPv6 until then
                n.sysctl("net.ipv6.conf.all.accept_dad", "0");
                n.sysctl("net.ipv6.conf.default.accept_dad", "0");
            }
            int links = nodes.size() - 1;
            for (int link = 1; link <= links; link++) {
                Netns left = nodes.get(link - 1);
                Netns right = nodes.get(link);
                Netns.run("ip", "link", "add", "l" + link + "a", "netns", left.name(), "type", "veth",
                        "peer", "name", "l" + link + "b", "netns", right.name());
                chain.configure(left, "l" + link + "a", link, 1);
                chain.configure(right, "l" + link + "b", link, 2);
            }
            for (int k = 0; k < nodes.size(); k++) {
                Netns n = nodes.get(k);
                for (int link = 1; link <= links; link++) {
                    if (link > k + 1) { // to the right: via the right neighbour
                        n.exec("ip", "route", "add", chain.v4(link, 0) + "/30", "via", chain.v4(k + 1, 2));
                        n.exec("ip", "-6", "route", "add", chain.v6(link, 0) + "/64", "via", chain.v6(k + 1, 2));
                    } else if (link < k) { // to the left: via the left neighbour
                        n.exec("ip", "route", "add", chain.v4(link, 0) + "/30", "via", chain.v4(k, 1));
                        n.exec("ip", "-6", "route", "add", chain.v6(link, 0) + "/64", "via", chain.v6(k, 1));
                    }
                }
                n.sysctl("net.ipv4.ip_forward", "1");
                n.sysctl("net.ipv6.conf.all.forwarding", "1");
                n.sysctl("net.ipv4.icmp_ratelimit", "0");
                n.sysctl("net.ipv6.icmp.ratelimit", "0");
                // nor the namespace-wide budget (icmp_msgs_per_sec, 1000/s) that the masked types also spend
                n.sysctl("net.ipv4.icmp_ratemask", "0");
                n.sysctl("net.ipv6.icmp.ratemask", "");
            }
            return chain;
        } catch (IOException | RuntimeException e) {
            chain.close();
            throw e;
        }
    }

    private void configure(Netns ns, String dev, int link, int end) throws IOException {
        ns.exec("ip", "addr", "add", v4(link, end) + "/30", "dev", dev);
        ns.exec("ip", "-6", "addr", "add", v6(link, end) + "/64", "dev", dev, "nodad");
        ns.exec("ip", "link", "set", dev, "up");
    }

    /** The IPv4 address of end {@code end} (1 left, 2 right; 0 the network) of link {@code link}. */
    public String v4(int link, int end) {
        return "10." + net + "." + link + "." + end;
    }

    /** The IPv6 address of end {@code end} (1 left, 2 right; 0 the network) of link {@code link}. */
    public String v6(int link, int end) {
        return "fd00:" + net + ":" + link + "::" + (end == 0 ? "" : Integer.toString(end));
    }

    /** The client (first), the routers, the destination (last). */
    public List<Netns> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public Netns client() {
        return nodes.getFirst();
    }

    /** The destination's address: the right end of the last link. */
    public String destination(boolean ipv6) {
        int last = nodes.size() - 1;
        return ipv6 ? v6(last, 2) : v4(last, 2);
    }

    /** What a trace from the client lists, in order: each router's client-side address, then the destination. */
    public List<String> expectedHops(boolean ipv6) {
        List<String> hops = new ArrayList<>();
        for (int link = 1; link < nodes.size(); link++) {
            hops.add(ipv6 ? v6(link, 2) : v4(link, 2));
        }
        return hops;
    }

    /** Deletes every namespace (and with them the veth pairs); tries them all even when one fails. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Netns n : nodes) {
            try {
                n.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
