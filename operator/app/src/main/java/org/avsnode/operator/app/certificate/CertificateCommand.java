package org.avsnode.operator.app.certificate;

import picocli.CommandLine.Command;

/** {@code operator certificate}: tools for finality certificates (DESIGN.md §5). */
@Command(
    name = "certificate",
    mixinStandardHelpOptions = true,
    description = "Finality certificate tools.",
    subcommands = {VerifyCommand.class})
public final class CertificateCommand {}
