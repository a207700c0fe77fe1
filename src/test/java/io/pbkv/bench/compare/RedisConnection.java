package io.pbkv.bench.compare;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One Redis connection over a plain socket, by hand (see {@link Resp}); opened on first use and again after a
 * failure. Not thread-safe: one per load thread.
 */
final class RedisConnection implements AutoCloseable {

	private final String host;

	private final int port;

	private final int timeoutMillis;

	private Socket socket;

	private InputStream in;

	private OutputStream out;

	RedisConnection(String host, int port, Duration timeout) {
		this.host = host;
		this.port = port;
		this.timeoutMillis = (int) timeout.toMillis();
	}

	/**
	 * Writes the commands (already encoded) in one write and reads {@code replies} replies: a pipeline, one round
	 * trip for all of them.
	 */
	List<Resp.Reply> pipeline(byte[] commands, int replies) throws IOException {
		if (this.socket == null) {
			connect();
		}
		try {
			this.out.write(commands);
			this.out.flush();
			List<Resp.Reply> answers = new ArrayList<>(replies);
			for (int i = 0; i < replies; i++) {
				answers.add(Resp.read(this.in));
			}
			return answers;
		}
		catch (IOException ex) {
			close();
			throw ex;
		}
	}

	Resp.Reply call(String... args) throws IOException {
		return pipeline(Resp.command(args), 1).get(0);
	}

	void connect() throws IOException {
		Socket s = new Socket();
		try {
			s.setTcpNoDelay(true);
			s.setSoTimeout(this.timeoutMillis);
			s.connect(new InetSocketAddress(this.host, this.port), this.timeoutMillis);
		}
		catch (IOException ex) {
			s.close();
			throw ex;
		}
		this.socket = s;
		this.in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
		this.out = s.getOutputStream();
	}

	@Override
	public void close() {
		if (this.socket != null) {
			try {
				this.socket.close();
			}
			catch (IOException ignored) {
				// closing anyway
			}
			this.socket = null;
		}
	}

}
