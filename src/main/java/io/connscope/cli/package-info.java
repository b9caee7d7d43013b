/**
 * Command line: picocli commands that parse options, open inputs and outputs, and hand over to
 * {@code analysis} and {@code report}. No analysis logic lives here. Errors a user can cause (bad
 * arguments, unreadable or non-capture files, unwritable output) end in one line on stderr and a
 * documented exit code ({@link io.connscope.cli.ExitCodes}), never a stack trace.
 */
package io.connscope.cli;
