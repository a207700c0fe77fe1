package io.pbkv.bench;

/** The client requests the benchmark measures. */
enum Operation {

	/** {@code PUT /kv/bench/<client>/<n>} with a fresh key each time; success is 200. */
	PUT,

	/** {@code GET /kv/bench/<client>/<n>} of a key this client wrote earlier; success is 200. */
	GET

}
