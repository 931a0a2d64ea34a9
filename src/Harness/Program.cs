using System.Runtime.InteropServices;
using PerfTests.Harness.Cli;

// Ctrl-C (or SIGTERM) cancels the token the commands pass to training and downloads: the current unit is abandoned at
// the next batch, nothing half-done is written, and the command says what completed. A second Ctrl-C ends the process.
using var interrupt = new CancellationTokenSource();
void Interrupt(PosixSignalContext context)
{
    if (interrupt.IsCancellationRequested) return;
    context.Cancel = true;
    Console.Error.WriteLine($"{context.Signal}: stopping after the current batch (again to end at once).");
    interrupt.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
return PerfTestsApp.Create().Run(args, interrupt.Token);
