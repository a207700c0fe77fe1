package io.pbkv.api;

import jakarta.servlet.http.HttpServletRequest;

import java.io.IOException;
import java.io.InputStream;

/** Reads request bodies as raw bytes, never more than a limit, whatever the Content-Type says. */
public final class RequestBodies {

	private RequestBodies() {
	}

	/**
	 * The body, or null when it is longer than {@code max} bytes: refused at once on its Content-Length, otherwise
	 * after reading one byte past the limit, so an oversized body never fills memory.
	 */
	public static byte[] readAtMost(HttpServletRequest request, long max) throws IOException {
		long length = request.getContentLengthLong();
		if (length > max) {
			return null;
		}
		try (InputStream in = request.getInputStream()) {
			if (length >= 0) {
				// The usual case: exactly the bytes announced, read into one array of that size.
				byte[] body = in.readNBytes((int) length);
				if (body.length < length) {
					throw new java.io.EOFException("the body ended after " + body.length + " of " + length + " bytes");
				}
				return body;
			}
			byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
			return body.length > max ? null : body;
		}
	}

}
