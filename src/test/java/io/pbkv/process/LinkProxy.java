package io.pbkv.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One direction of a peer link, as a TCP proxy on 127.0.0.1: nodes connect to {@link #url()}, the proxy forwards
 * to {@code 127.0.0.1:targetPort} and the answers back. {@link #cut()} makes the link dead the way a pulled cable
 * or a dropping firewall does: no RST, no FIN, the sockets stay open, nothing gets through in either direction. A
 * connection made during the cut is accepted (the kernel does that anyway) but never reaches the target until the
 * heal. {@link #heal()} lets the traffic flow again, like TCP retransmitting after a partition: what was held
 * during the cut is delivered late, in order, and a connection its client gave up on meanwhile is then closed.
 *
 * <p>
 * How a cut holds bytes: each direction of each connection is one thread that reads a chunk and, before writing
 * it on, waits while the link is cut; it reads nothing more meanwhile, so the rest stays in the kernel's buffers
 * and the sender's writes block once they are full, as over a dead link. Every thread ends by itself when its
 * sockets close, and {@link #close()} closes them all.
 */
final class LinkProxy implements AutoCloseable {

	/** How long a waiting thread sleeps between checks of whether the link was healed or the proxy closed. */
	private static final long POLL_MILLIS = 20;

	private static final int CONNECT_TIMEOUT_MILLIS = 1000;

	private final String name;

	private final int targetPort;

	private final ServerSocket server;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final Object lock = new Object();

	private final AtomicLong connections = new AtomicLong();

	private final AtomicLong forwardedBytes = new AtomicLong();

	private final AtomicInteger stallsWanted = new AtomicInteger();

	private final AtomicInteger stalled = new AtomicInteger();

	private boolean cut;

	private boolean closed;

	private LinkProxy(String name, int targetPort) throws IOException {
		this.name = name;
		this.targetPort = targetPort;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread.ofPlatform().daemon().name("link-" + name + "-accept").start(this::acceptLoop);
	}

	/** A proxy listening on a free port of 127.0.0.1, forwarding to {@code 127.0.0.1:targetPort}. */
	static LinkProxy to(String name, int targetPort) throws IOException {
		return new LinkProxy(name, targetPort);
	}

	/** The URL that reaches the target through this proxy. */
	String url() {
		return "http://127.0.0.1:" + server.getLocalPort();
	}

	/** Black-holes the link: nothing more is forwarded in either direction, and no socket is closed. */
	void cut() {
		synchronized (lock) {
			cut = true;
		}
	}

	/**
	 * Black-holes the next connection that carries data towards the target, and only that one: what it carries
	 * from then on is swallowed, nothing is answered and no socket is closed, as when a connection dies silently
	 * under a request. Other connections, open or new, go on.
	 */
	void stallNextConnection() {
		stallsWanted.incrementAndGet();
	}

	/** Connections {@link #stallNextConnection} black-holed so far. */
	int stalledConnections() {
		return stalled.get();
	}

	/** Forwards again, starting with what was held during the cut. */
	void heal() {
		synchronized (lock) {
			cut = false;
			lock.notifyAll();
		}
	}

	boolean isCut() {
		synchronized (lock) {
			return cut;
		}
	}

	@Override
	public String toString() {
		return "link " + name + " (" + url() + " -> 127.0.0.1:" + targetPort + (isCut() ? ", cut" : "") + ", "
				+ connections.get() + " connections, " + forwardedBytes.get() + " bytes forwarded)";
	}

	@Override
	public void close() {
		synchronized (lock) {
			closed = true;
			lock.notifyAll();
		}
		closeQuietly(server);
		for (Socket socket : new ArrayList<>(sockets)) {
			closeQuietly(socket);
		}
		sockets.clear();
	}

	/**
	 * Waits while the link is cut; false when the proxy was closed meanwhile. Bounded: it wakes every
	 * {@link #POLL_MILLIS} and gives up once the proxy is closed.
	 */
	private boolean awaitOpen() {
		synchronized (lock) {
			while (cut && !closed) {
				try {
					lock.wait(POLL_MILLIS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return false;
				}
			}
			return !closed;
		}
	}

	private boolean isClosed() {
		synchronized (lock) {
			return closed;
		}
	}

	private void acceptLoop() {
		while (!isClosed()) {
			Socket client;
			try {
				client = server.accept();
			}
			catch (IOException ex) {
				return; // closed
			}
			if (!track(client)) {
				return;
			}
			connections.incrementAndGet();
			Thread.ofPlatform().daemon().name("link-" + name + "-conn").start(() -> connect(client));
		}
	}

	/** Remembers a socket so that {@link #close()} closes it; false (and closes it) when already closed. */
	private boolean track(Socket socket) {
		sockets.add(socket);
		if (isClosed()) {
			closeQuietly(socket);
			return false;
		}
		return true;
	}

	/** Reaches the target once the link is open (a connection made during a cut hangs), then pumps both ways. */
	private void connect(Socket client) {
		Socket target = new Socket();
		try {
			if (!awaitOpen() || !track(target)) {
				throw new SocketException("proxy closed");
			}
			target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort),
					CONNECT_TIMEOUT_MILLIS);
		}
		catch (IOException ex) {
			closeQuietly(client);
			closeQuietly(target);
			return;
		}
		AtomicInteger directionsEnded = new AtomicInteger();
		Thread.ofPlatform().daemon().name("link-" + name + "-back").start(() -> pump(target, client, directionsEnded, false));
		pump(client, target, directionsEnded, true);
	}

	/**
	 * Copies {@code from} to {@code to}, holding each chunk while the link is cut. At the end of {@code from} it
	 * passes the end on (half-close), and the second direction to end closes both sockets; when either side
	 * fails it closes both at once.
	 */
	private void pump(Socket from, Socket to, AtomicInteger directionsEnded, boolean towardsTarget) {
		byte[] buffer = new byte[64 * 1024];
		try {
			InputStream in = from.getInputStream();
			OutputStream out = to.getOutputStream();
			while (true) {
				int n = in.read(buffer);
				if (n > 0 && towardsTarget && takeStall()) {
					stalled.incrementAndGet();
					swallow(in, buffer);
					return;
				}
				if (!awaitOpen()) {
					closeBoth(from, to);
					return;
				}
				if (n < 0) {
					to.shutdownOutput();
					break;
				}
				out.write(buffer, 0, n);
				out.flush();
				forwardedBytes.addAndGet(n);
			}
			if (directionsEnded.incrementAndGet() == 2) {
				closeBoth(from, to);
			}
		}
		catch (IOException ex) {
			closeBoth(from, to);
		}
	}

	private boolean takeStall() {
		for (int wanted = stallsWanted.get(); wanted > 0; wanted = stallsWanted.get()) {
			if (stallsWanted.compareAndSet(wanted, wanted - 1)) {
				return true;
			}
		}
		return false;
	}

	/** Reads and drops everything until the sender gives up; closes nothing (close() does, at the end). */
	private static void swallow(InputStream in, byte[] buffer) throws IOException {
		while (in.read(buffer) >= 0) {
			// black hole
		}
	}

	private void closeBoth(Socket a, Socket b) {
		closeQuietly(a);
		closeQuietly(b);
		sockets.remove(a);
		sockets.remove(b);
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ignored) {
			// already closed, or closing anyway
		}
	}

}
