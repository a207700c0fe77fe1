package io.pbkv.bench.compare;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 response read by hand from a connection: the status line, the headers up to the blank line, and the
 * body as {@code Content-Length} or {@code Transfer-Encoding: chunked} frames it (or up to the end of the stream
 * when neither does, which ends the connection). Interim 1xx responses are skipped.
 *
 * @param status the status code
 * @param headers header names in lower case to their last value
 * @param body the body, empty when it was discarded or there was none
 * @param keepAlive whether the connection may carry the next request
 */
record HttpResponse(int status, Map<String, String> headers, byte[] body, boolean keepAlive) {

	/** Longest status or header line accepted; a longer one means the peer does not speak HTTP. */
	private static final int MAX_LINE = 16 * 1024;

	/**
	 * Reads the next response from {@code in} (which should be buffered); the body is kept when {@code keepBody},
	 * else read and dropped. {@code headRequest}: the response to a HEAD has no body whatever its headers say.
	 * Throws {@link EOFException} when the stream ends first, {@link IOException} on a malformed response.
	 */
	static HttpResponse read(InputStream in, boolean keepBody, boolean headRequest) throws IOException {
		while (true) {
			String statusLine = readLine(in);
			if (statusLine == null) {
				throw new EOFException("connection closed before a response");
			}
			if (statusLine.isEmpty()) {
				continue; // tolerate a stray CRLF between responses
			}
			String[] parts = statusLine.split(" ", 3);
			if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
				throw new IOException("not an HTTP/1.x status line: " + abbreviate(statusLine));
			}
			int status;
			try {
				status = Integer.parseInt(parts[1]);
			}
			catch (NumberFormatException ex) {
				throw new IOException("bad status code in: " + abbreviate(statusLine));
			}
			Map<String, String> headers = new LinkedHashMap<>();
			String line;
			while (!(line = requireLine(in)).isEmpty()) {
				int colon = line.indexOf(':');
				if (colon <= 0) {
					throw new IOException("bad header line: " + abbreviate(line));
				}
				headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
			}
			if (status >= 100 && status < 200) {
				continue; // 100 Continue and the like: the real response follows
			}
			String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
			boolean keepAlive = parts[0].equals("HTTP/1.0") ? connection.contains("keep-alive")
					: !connection.contains("close");
			OutputStreamCollector body = new OutputStreamCollector(keepBody);
			if (headRequest || status == 204 || status == 304) {
				// no body
			}
			else if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
				readChunked(in, body);
			}
			else if (headers.containsKey("content-length")) {
				long length;
				try {
					length = Long.parseLong(headers.get("content-length"));
				}
				catch (NumberFormatException ex) {
					throw new IOException("bad Content-Length: " + headers.get("content-length"));
				}
				copy(in, body, length);
			}
			else {
				in.transferTo(body);
				keepAlive = false;
			}
			return new HttpResponse(status, headers, body.bytes(), keepAlive);
		}
	}

	String bodyText() {
		return new String(this.body, StandardCharsets.UTF_8);
	}

	private static void readChunked(InputStream in, OutputStream body) throws IOException {
		while (true) {
			String sizeLine = requireLine(in);
			int semicolon = sizeLine.indexOf(';');
			String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).strip();
			long size;
			try {
				size = Long.parseLong(hex, 16);
			}
			catch (NumberFormatException ex) {
				throw new IOException("bad chunk size: " + abbreviate(sizeLine));
			}
			if (size == 0) {
				while (!requireLine(in).isEmpty()) {
					// trailer fields, ignored
				}
				return;
			}
			copy(in, body, size);
			if (!requireLine(in).isEmpty()) {
				throw new IOException("chunk not followed by CRLF");
			}
		}
	}

	private static void copy(InputStream in, OutputStream out, long length) throws IOException {
		byte[] buffer = new byte[8192];
		long left = length;
		while (left > 0) {
			int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
			if (n < 0) {
				throw new EOFException("connection closed " + left + " bytes before the end of the body");
			}
			out.write(buffer, 0, n);
			left -= n;
		}
	}

	private static String requireLine(InputStream in) throws IOException {
		String line = readLine(in);
		if (line == null) {
			throw new EOFException("connection closed within a response");
		}
		return line;
	}

	/** A line ended by CRLF (or a bare LF), without its end; null at the end of the stream before any byte. */
	static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		while (true) {
			int b = in.read();
			if (b < 0) {
				if (line.isEmpty()) {
					return null;
				}
				throw new EOFException("connection closed within a line");
			}
			if (b == '\n') {
				int end = line.length();
				if (end > 0 && line.charAt(end - 1) == '\r') {
					line.setLength(end - 1);
				}
				return line.toString();
			}
			if (line.length() >= MAX_LINE) {
				throw new IOException("line longer than " + MAX_LINE + " bytes");
			}
			line.append((char) b); // ISO-8859-1, as HTTP/1.1 header bytes are
		}
	}

	private static String abbreviate(String text) {
		return text.length() <= 80 ? text : text.substring(0, 80) + "...";
	}

	/** Keeps what is written when asked to, else counts and drops it. */
	private static final class OutputStreamCollector extends OutputStream {

		private final java.io.ByteArrayOutputStream kept;

		OutputStreamCollector(boolean keep) {
			this.kept = keep ? new java.io.ByteArrayOutputStream() : null;
		}

		@Override
		public void write(int b) {
			if (this.kept != null) {
				this.kept.write(b);
			}
		}

		@Override
		public void write(byte[] b, int off, int len) {
			if (this.kept != null) {
				this.kept.write(b, off, len);
			}
		}

		byte[] bytes() {
			return (this.kept != null) ? this.kept.toByteArray() : new byte[0];
		}

	}

}
