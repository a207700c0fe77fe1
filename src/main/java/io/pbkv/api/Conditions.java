package io.pbkv.api;

import io.pbkv.core.Precondition;

import java.util.ArrayList;
import java.util.List;

import org.springframework.http.HttpStatus;

/** Turns {@code If-Match} and {@code If-None-Match} headers into a {@link Precondition} (RFC 9110 §13.1). */
final class Conditions {

	/** A version no write ever gets: an entity tag that is not ours can never match. */
	private static final long NO_VERSION = -1;

	private Conditions() {
	}

	static Precondition forWrite(String ifMatch, String ifNoneMatch) {
		if (ifMatch != null && ifNoneMatch != null) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "bad-condition",
					"send either If-Match or If-None-Match, not both");
		}
		if (ifNoneMatch != null) {
			if (!ifNoneMatch.trim().equals("*")) {
				throw new ApiException(HttpStatus.BAD_REQUEST, "bad-condition",
						"writes support only If-None-Match: * (create if absent)");
			}
			return Precondition.IF_ABSENT;
		}
		if (ifMatch == null) {
			return Precondition.NONE;
		}
		if (ifMatch.trim().equals("*")) {
			return Precondition.IF_PRESENT;
		}
		List<Long> versions = versions(ifMatch);
		if (versions.size() > Precondition.IfVersion.MAX_VERSIONS) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "bad-condition",
					"If-Match may list at most " + Precondition.IfVersion.MAX_VERSIONS + " entity tags");
		}
		return new Precondition.IfVersion(versions);
	}

	/** Whether a GET's {@code If-None-Match} names the current version (so the answer is 304). */
	static boolean notModified(String ifNoneMatch, long version) {
		if (ifNoneMatch == null) {
			return false;
		}
		if (ifNoneMatch.trim().equals("*")) {
			return true;
		}
		return versions(ifNoneMatch).contains(version);
	}

	private static List<Long> versions(String header) {
		List<Long> versions = new ArrayList<>();
		for (String tag : header.split(",")) {
			versions.add(parse(tag.trim()));
		}
		return versions;
	}

	private static long parse(String tag) {
		// Weak tags never match for a write (RFC 9110 strong comparison); ours are always strong.
		if (tag.length() < 3 || tag.charAt(0) != '"' || tag.charAt(tag.length() - 1) != '"') {
			return NO_VERSION;
		}
		try {
			long version = Long.parseLong(tag.substring(1, tag.length() - 1));
			return version > 0 ? version : NO_VERSION;
		}
		catch (NumberFormatException ex) {
			return NO_VERSION;
		}
	}

	static String etag(long version) {
		return "\"" + version + "\"";
	}

}
