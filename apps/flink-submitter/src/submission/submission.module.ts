import { Module } from '@nestjs/common';
import { SubmissionService } from './submission.service';

/** `flink.job.submit` and `flink.job.stop`: sessions, statements, savepoints. */
@Module({ providers: [SubmissionService] })
export class SubmissionModule {}
