package io.pbkv.api;

import jakarta.servlet.http.HttpServletRequest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpStatus;

/**
 * The key of a {@code /kv/{key}} request: the whole rest of the raw path, percent-decoded as UTF-8, so that
 * {@code /kv/users/42} is {@code users/42} and {@code /kv/a%2Fb} is {@code a/b}.
 */
public final class KeyPath {

	private static final String PREFIX = "/kv/";

	private KeyPath() {
	}

	public static String keyOf(HttpServletRequest request, int maxKeyBytes) {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		if (!path.startsWith(PREFIX)) {
			throw badKey("the key is missing: use /kv/{key}");
		}
		byte[] bytes = percentDecode(path.substring(PREFIX.length()));
		if (bytes.length == 0) {
			throw badKey("the key is empty: use /kv/{key}");
		}
		if (bytes.length > maxKeyBytes) {
			throw badKey("the key is " + bytes.length + " bytes of UTF-8; the limit is " + maxKeyBytes);
		}
		String key = Utf8.decode(bytes).orElseThrow(() -> badKey("the key is not valid UTF-8"));
		if (key.codePoints().anyMatch(Character::isISOControl)) {
			throw badKey("the key contains a control character");
		}
		return key;
	}

	private static byte[] percentDecode(String raw) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
		for (int i = 0; i < raw.length(); i++) {
			char c = raw.charAt(i);
			if (c == '%') {
				if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
						|| Character.digit(raw.charAt(i + 2), 16) < 0) {
					throw badKey("the key has a malformed percent-escape at position " + i);
				}
				out.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
				i += 2;
			}
			else {
				byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
				out.write(encoded, 0, encoded.length);
			}
		}
		return out.toByteArray();
	}

	private static ApiException badKey(String detail) {
		return new ApiException(HttpStatus.BAD_REQUEST, "bad-key", detail);
	}

}
