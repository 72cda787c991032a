"""Qt signals over the Qt-free :class:`workbench.core.jobs.JobRunner`.

Job listeners run on worker threads; they only emit signals of this QObject, which lives in the GUI
thread, so Qt delivers them there through queued connections. Slots never run plugin code.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from workbench.core.jobs import Job, JobRunner


class JobBridge(QObject):
    """Submit plugin jobs and get ``submitted(job_id)``, ``progress(job_id, fraction, text)``,
    ``partial(job_id)`` (new layers in ``job.partial``) and ``finished(job_id)`` in the GUI thread.

    A job that is already over when it is submitted emits ``finished`` during ``submit``: connect with
    ``Qt.QueuedConnection`` when the slot needs the Job object that ``submit`` returns.
    """

    submitted = Signal(str)
    progress = Signal(str, float, str)
    partial = Signal(str)
    finished = Signal(str)

    def __init__(self, runner: JobRunner | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.runner = runner or JobRunner()
        self.jobs: dict[str, Job] = {}

    def submit_plugin(self, manifest, audio, params: dict | None = None) -> Job:
        """Validate params (raises InvalidParameterError here, in the caller's thread) and start the job."""
        return self._watch(self.runner.submit_plugin(manifest, audio, params))

    def submit(self, title: str, fn, device: str | None = None) -> Job:
        return self._watch(self.runner.submit(title, fn, device=device))

    def _watch(self, job: Job) -> Job:
        self.jobs[job.id] = job
        self.submitted.emit(job.id)
        job.on_progress(lambda j: self.progress.emit(j.id, float(j.fraction), j.text))
        job.on_emit(lambda j: self.partial.emit(j.id))
        job.on_done(lambda j: self.finished.emit(j.id))
        return job

    def cancel(self, job_id: str) -> None:
        job = self.jobs.get(job_id)
        if job is not None:
            job.cancel()

    def running(self) -> list[Job]:
        return [j for j in self.jobs.values() if not j.state.finished]

    def shutdown(self) -> None:
        self.runner.shutdown(cancel=True)


class JobProgressView:
    """For a dialog that runs one job at a time (``self.job``) and shows it in ``self.progress`` (0-1000) and
    ``self.status``: connect ``bridge.progress`` to :meth:`_on_progress`."""

    def _on_progress(self, job_id: str, fraction: float, text: str) -> None:
        if self.job is not None and job_id == self.job.id:
            self.progress.setValue(int(fraction * 1000))
            self.status.setText(text)
