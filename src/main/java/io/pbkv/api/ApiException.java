package io.pbkv.api;

import org.springframework.http.HttpStatus;

/** A client error found at the edge, before the node sees the request; becomes one problem+json response. */
class ApiException extends RuntimeException {

	private final HttpStatus status;

	private final String problem;

	ApiException(HttpStatus status, String problem, String detail) {
		super(detail);
		this.status = status;
		this.problem = problem;
	}

	HttpStatus status() {
		return status;
	}

	String problem() {
		return problem;
	}

}
