package io.pbkv.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Linux network namespaces for process tests: each node gets its own namespace with one address, all joined by a
 * bridge, and links between nodes are cut with {@code iptables} DROP rules inside a node's namespace. Needs root
 * and {@code ip} and {@code iptables} (see {@link #unavailable()}).
 *
 * <p>
 * The layout, for namespace set {@code pbkvpXXXX} (a random suffix, so that runs never share anything):
 * <ul>
 * <li>{@code pbkvpXXXX-h}: the hub, holding bridge {@code br0}. The bridge lives in its own namespace rather than
 * in the root one because on a host with {@code br_netfilter} loaded ({@code net.bridge.bridge-nf-call-iptables=1})
 * and a {@code FORWARD DROP} policy, as Docker sets up, the root namespace's firewall would drop the frames the
 * bridge forwards between nodes; a fresh namespace has an empty firewall, so the host's is neither in the way nor
 * touched.</li>
 * <li>{@code pbkvpXXXX-a}, {@code -b}, ...: one per node, with {@code eth0} (a veth whose other end is a port of
 * the bridge) at {@code 198.18.N.1}, {@code .2}, ... /24 and {@code lo} up.</li>
 * <li>{@code pbkvpXXXXr} in the root namespace: a veth into the bridge at {@code 198.18.N.254/24}, through which
 * the test JVM reaches every node. The /24 is picked at random within 198.18.0.0/15 (benchmarking addresses, RFC
 * 2544) among those the host does not use yet.</li>
 * </ul>
 * {@link #close()} ends what was registered with {@link #closeFirst} (the nodes' JVMs, which must be gone before
 * their namespaces can really go) and deletes every namespace and link it made; a shutdown hook does the same if
 * the JVM exits first.
 */
final class NetworkNamespaces implements AutoCloseable {

	static final String PREFIX = "pbkvp";

	private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

	private static final SecureRandom RANDOM = new SecureRandom();

	private final String id;

	/** The first three octets of the /24, such as {@code 198.18.42}. */
	private final String subnet;

	private final String hub;

	private final String hostLink;

	private final Map<String, String> namespaces = new LinkedHashMap<>();

	private final Map<String, String> addresses = new LinkedHashMap<>();

	/** The DROP rules in force, per namespace, as iptables rule specs ({@code -A} left off). */
	private final Map<String, List<String>> rules = new LinkedHashMap<>();

	private final Deque<AutoCloseable> closeFirst = new ArrayDeque<>();

	private final Thread hook;

	private boolean closed;

	private NetworkNamespaces(String id, String subnet) {
		this.id = id;
		this.subnet = subnet;
		this.hub = id + "-h";
		this.hostLink = id + "r";
		this.hook = new Thread(this::closeQuietly, id + "-cleanup");
	}

	/**
	 * Null when namespaces, veths and iptables can be used here, else why not: tries them on a throw-away namespace.
	 */
	static String unavailable() {
		if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
			return "network namespaces need Linux, not " + System.getProperty("os.name");
		}
		String probe = PREFIX + randomSuffix() + "-p";
		try {
			Result uid = run(List.of("id", "-u"));
			if (uid.exit() != 0 || !uid.output().strip().equals("0")) {
				return "network namespaces need root (id -u: " + uid.output().strip() + ")";
			}
			Result add = run(List.of("ip", "netns", "add", probe));
			if (add.exit() != 0) {
				return "ip netns add fails: " + add.output().strip();
			}
			try {
				Result veth = run(List.of("ip", "-n", probe, "link", "add", "t0", "type", "veth", "peer", "name", "t1"));
				if (veth.exit() != 0) {
					return "cannot make a veth pair in a namespace: " + veth.output().strip();
				}
				Result bridge = run(List.of("ip", "-n", probe, "link", "add", "br0", "type", "bridge"));
				if (bridge.exit() != 0) {
					return "cannot make a bridge in a namespace: " + bridge.output().strip();
				}
				Result iptables = run(List.of("ip", "netns", "exec", probe, "iptables", "-w", "-A", "OUTPUT", "-d",
						"198.18.0.1", "-j", "DROP"));
				if (iptables.exit() != 0) {
					return "iptables does not work in a namespace: " + iptables.output().strip();
				}
			}
			finally {
				run(List.of("ip", "netns", "del", probe));
			}
		}
		catch (IOException ex) {
			return "cannot run ip/iptables: " + ex.getMessage();
		}
		return null;
	}

	/** The hub and the root namespace's link into it, on a /24 of 198.18.0.0/15 that the host does not use. */
	static NetworkNamespaces create() throws IOException {
		NetworkNamespaces net = new NetworkNamespaces(PREFIX + randomSuffix(), freeSubnet());
		Runtime.getRuntime().addShutdownHook(net.hook);
		try {
			net.must("ip", "netns", "add", net.hub);
			net.must("ip", "-n", net.hub, "link", "set", "lo", "up");
			net.must("ip", "-n", net.hub, "link", "add", "br0", "type", "bridge");
			net.must("ip", "-n", net.hub, "link", "set", "br0", "up");
			net.must("ip", "link", "add", net.hostLink, "type", "veth", "peer", "name", "host", "netns", net.hub);
			net.must("ip", "-n", net.hub, "link", "set", "host", "master", "br0", "up");
			net.must("ip", "addr", "add", net.hostAddress() + "/24", "dev", net.hostLink);
			net.must("ip", "link", "set", net.hostLink, "up");
			return net;
		}
		catch (IOException | RuntimeException ex) {
			net.closeQuietly();
			throw ex;
		}
	}

	/** A namespace for {@code node} joined to the bridge; returns its address. */
	synchronized String add(String node) throws IOException {
		if (namespaces.containsKey(node)) {
			throw new IllegalArgumentException(node + " exists");
		}
		String ns = id + "-" + node;
		String address = subnet + "." + (namespaces.size() + 1);
		must("ip", "netns", "add", ns);
		namespaces.put(node, ns);
		must("ip", "-n", ns, "link", "set", "lo", "up");
		String port = "p-" + node;
		must("ip", "-n", hub, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
		must("ip", "-n", hub, "link", "set", port, "master", "br0", "up");
		must("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
		must("ip", "-n", ns, "link", "set", "eth0", "up");
		addresses.put(node, address);
		return address;
	}

	String address(String node) {
		String address = addresses.get(node);
		if (address == null) {
			throw new IllegalArgumentException("no node " + node);
		}
		return address;
	}

	/** The test JVM's address on the bridge. */
	String hostAddress() {
		return subnet + ".254";
	}

	/** The words that run a command inside {@code node}'s namespace. */
	List<String> exec(String node) {
		return List.of("ip", "netns", "exec", namespace(node));
	}

	String namespace(String node) {
		String ns = namespaces.get(node);
		if (ns == null) {
			throw new IllegalArgumentException("no node " + node);
		}
		return ns;
	}

	/** Namespaces and root-namespace links of this set (made by it, by name), that still exist. */
	List<String> leftovers() throws IOException {
		List<String> left = new ArrayList<>();
		for (String line : run(List.of("ip", "netns", "list")).output().split("\n")) {
			String name = line.strip().split(" ")[0];
			if (name.startsWith(id)) {
				left.add("namespace " + name);
			}
		}
		if (run(List.of("ip", "link", "show", "dev", hostLink)).exit() == 0) {
			left.add("link " + hostLink);
		}
		return left;
	}

	/** Drops every packet between {@code x} and {@code y}, both ways (rules in {@code x}'s namespace). */
	void cut(String x, String y) throws IOException {
		drop(x, List.of("INPUT -s " + address(y), "OUTPUT -d " + address(y)));
	}

	/** Drops the packets {@code from} sends to {@code to}; those {@code to} sends still arrive. */
	void cutOneWay(String from, String to) throws IOException {
		drop(from, List.of("OUTPUT -d " + address(to)));
	}

	/** Cuts {@code node} from each of {@code peers}, both ways, at once; the test's own path to it stays open. */
	void isolate(String node, String... peers) throws IOException {
		List<String> specs = new ArrayList<>();
		for (String peer : peers) {
			specs.add("INPUT -s " + address(peer));
			specs.add("OUTPUT -d " + address(peer));
		}
		drop(node, specs);
	}

	/** Installs the rules in one iptables-restore transaction, so that no packet sees half of them. */
	private synchronized void drop(String node, List<String> specs) throws IOException {
		String ns = namespace(node);
		StringBuilder batch = new StringBuilder("*filter\n");
		for (String spec : specs) {
			batch.append("-A ").append(spec).append(" -j DROP\n");
		}
		batch.append("COMMIT\n");
		restore(ns, batch.toString());
		rules.computeIfAbsent(ns, k -> new ArrayList<>()).addAll(specs);
	}

	/** Removes every rule {@link #cut}, {@link #cutOneWay} and {@link #isolate} installed. */
	synchronized void heal() throws IOException {
		for (Map.Entry<String, List<String>> e : rules.entrySet()) {
			if (e.getValue().isEmpty()) {
				continue;
			}
			StringBuilder batch = new StringBuilder("*filter\n");
			for (String spec : e.getValue()) {
				batch.append("-D ").append(spec).append(" -j DROP\n");
			}
			batch.append("COMMIT\n");
			restore(e.getKey(), batch.toString());
			e.getValue().clear();
		}
	}

	/** The DROP rules in {@code node}'s namespace, as {@code iptables -S} prints them. */
	List<String> rules(String node) throws IOException {
		Result r = run(List.of("ip", "netns", "exec", namespace(node), "iptables", "-w", "-S"));
		return r.output().lines().filter(l -> l.contains("DROP") && l.startsWith("-A")).toList();
	}

	private static void restore(String ns, String batch) throws IOException {
		Result r = run(List.of("ip", "netns", "exec", ns, "iptables-restore", "-w", "--noflush"), batch);
		if (r.exit() != 0) {
			throw new IOException("iptables-restore in " + ns + " failed (" + r.exit() + "): " + r.output() + "\n"
					+ batch);
		}
	}

	/** Ended by {@link #close()} before the namespaces are deleted, last registered first. */
	synchronized void closeFirst(AutoCloseable resource) {
		closeFirst.push(resource);
	}

	@Override
	public void close() throws IOException {
		List<String> problems = closeQuietly();
		try {
			Runtime.getRuntime().removeShutdownHook(hook);
		}
		catch (IllegalStateException ex) {
			// the JVM is exiting: the hook runs (or ran) anyway
		}
		List<String> left = leftovers();
		if (!left.isEmpty()) {
			problems.add("left behind: " + left);
		}
		if (!problems.isEmpty()) {
			throw new IOException("cleanup of " + id + ": " + String.join("; ", problems));
		}
	}

	/** Ends everything, each step whatever the others did; returns what went wrong. */
	private synchronized List<String> closeQuietly() {
		List<String> problems = new ArrayList<>();
		if (closed) {
			return problems;
		}
		closed = true;
		while (!closeFirst.isEmpty()) {
			try {
				closeFirst.pop().close();
			}
			catch (Exception ex) {
				problems.add("closing before the namespaces: " + ex);
			}
		}
		List<String> all = new ArrayList<>(namespaces.values());
		all.add(hub);
		for (String ns : all) {
			try {
				// Nothing may still run in it: the namespace, and its links, would outlive the name.
				Result pids = run(List.of("ip", "netns", "pids", ns));
				for (String pid : pids.exit() == 0 ? pids.output().split("\\s+") : new String[0]) {
					if (!pid.isBlank()) {
						ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(p -> {
							problems.add("process " + p.pid() + " still ran in " + ns + ": killed");
							p.destroyForcibly();
						});
					}
				}
				Result del = run(List.of("ip", "netns", "del", ns));
				if (del.exit() != 0 && !del.output().contains("No such file")) {
					problems.add("ip netns del " + ns + ": " + del.output().strip());
				}
			}
			catch (IOException | RuntimeException ex) {
				problems.add("deleting " + ns + ": " + ex);
			}
		}
		try {
			// Deleting the hub deletes this veth's peer and so the veth; this is for a hub that never was made.
			if (run(List.of("ip", "link", "show", "dev", hostLink)).exit() == 0) {
				Result del = run(List.of("ip", "link", "del", "dev", hostLink));
				// It may vanish in between: the kernel deletes it with its peer, asynchronously.
				if (del.exit() != 0 && !del.output().contains("Cannot find device")) {
					problems.add("ip link del " + hostLink + ": " + del.output().strip());
				}
			}
		}
		catch (IOException ex) {
			problems.add("deleting " + hostLink + ": " + ex);
		}
		if (!problems.isEmpty()) {
			System.err.println("[" + id + "] cleanup: " + problems);
		}
		return problems;
	}

	@Override
	public String toString() {
		return id + " on " + subnet + ".0/24: " + addresses;
	}

	private void must(String... command) throws IOException {
		Result r = run(List.of(command));
		if (r.exit() != 0) {
			throw new IOException(String.join(" ", command) + " failed (" + r.exit() + "): " + r.output().strip());
		}
	}

	record Result(int exit, String output) {
	}

	static Result run(List<String> command) throws IOException {
		return run(command, null);
	}

	private static Result run(List<String> command, String input) throws IOException {
		Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
		try {
			if (input != null) {
				p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
			}
			p.getOutputStream().close();
			String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!p.waitFor(20, TimeUnit.SECONDS)) {
				p.destroyForcibly();
				throw new IOException(String.join(" ", command) + " did not end within 20 s");
			}
			return new Result(p.exitValue(), output);
		}
		catch (InterruptedException ex) {
			p.destroyForcibly();
			Thread.currentThread().interrupt();
			throw new IOException("interrupted: " + String.join(" ", command), ex);
		}
	}

	/** A free /24 of 198.18.0.0/15: its first three octets. */
	private static String freeSubnet() throws IOException {
		String used = run(List.of("ip", "-4", "route", "show", "table", "all")).output() + "\n"
				+ run(List.of("ip", "-4", "-o", "addr", "show")).output();
		for (int attempt = 0; attempt < 100; attempt++) {
			String candidate = "198." + (18 + RANDOM.nextInt(2)) + "." + RANDOM.nextInt(256);
			if (!used.contains(candidate + ".") && !used.contains("198.18.0.0/15")) {
				return candidate;
			}
		}
		throw new IOException("no free /24 in 198.18.0.0/15");
	}

	private static String randomSuffix() {
		StringBuilder s = new StringBuilder();
		for (int i = 0; i < 4; i++) {
			s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
		}
		return s.toString();
	}

}
