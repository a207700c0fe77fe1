package io.pbkv.bench.compare;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One keep-alive HTTP/1.1 connection over a plain socket, written by hand so that every system is loaded by the
 * same few lines: a request goes out as one write of its bytes, the response is read by {@link HttpResponse}.
 * The connection is opened on first use and again after the server closed it or a request failed. Not
 * thread-safe: one per load thread.
 */
final class HttpConnection implements AutoCloseable {

	private final String host;

	private final int port;

	private final int timeoutMillis;

	private Socket socket;

	private InputStream in;

	private OutputStream out;

	/** Connections opened so far, the first included. */
	private long opened;

	HttpConnection(String host, int port, Duration timeout) {
		this.host = host;
		this.port = port;
		this.timeoutMillis = (int) timeout.toMillis();
	}

	/** Sends the request (as {@link #request} made it) and reads its response; see {@link HttpResponse#read}. */
	HttpResponse send(byte[] request, boolean keepBody) throws IOException {
		if (this.socket == null) {
			connect();
		}
		try {
			this.out.write(request);
			this.out.flush();
			HttpResponse response = HttpResponse.read(this.in, keepBody, false);
			if (!response.keepAlive()) {
				close();
			}
			return response;
		}
		catch (IOException ex) {
			close();
			throw ex;
		}
	}

	/** Opens the connection now, so that a load thread does not connect inside its first measured request. */
	void connect() throws IOException {
		Socket s = new Socket();
		try {
			s.setTcpNoDelay(true);
			s.setKeepAlive(true);
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
		this.opened++;
	}

	long opened() {
		return this.opened;
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
			this.in = null;
			this.out = null;
		}
	}

	/**
	 * The bytes of a request: request line, {@code Host}, {@code Content-Type} and {@code Content-Length} when there
	 * is a body (null: none and no length), and the body.
	 */
	static byte[] request(String method, String target, String hostHeader, String contentType, byte[] body) {
		StringBuilder head = new StringBuilder(128);
		head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
		head.append("Host: ").append(hostHeader).append("\r\n");
		if (body != null) {
			if (contentType != null) {
				head.append("Content-Type: ").append(contentType).append("\r\n");
			}
			head.append("Content-Length: ").append(body.length).append("\r\n");
		}
		head.append("\r\n");
		byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
		if (body == null || body.length == 0) {
			return headBytes;
		}
		ByteArrayOutputStream all = new ByteArrayOutputStream(headBytes.length + body.length);
		all.writeBytes(headBytes);
		all.writeBytes(body);
		return all.toByteArray();
	}

}
