"""mage_ai.orchestration.triggers.api.trigger_pipeline: a run of another pipeline of the project."""
import pipewright_bridge


def trigger_pipeline(pipeline_uuid, variables=None, check_status=False, error_on_failure=False, poll_interval=60, poll_timeout=None, schedule_name=None, verbose=True):
    """Starts `pipewright run <pipeline_uuid>` with the variables; with check_status, waits for it and
    returns its status (raising when it failed and error_on_failure is set), as Mage does."""
    result = pipewright_bridge.request('pipeline.trigger', pipeline=pipeline_uuid, variables=variables or {}, wait=bool(check_status))
    if check_status and error_on_failure and result['status'] != 'completed':
        raise Exception(f'Pipeline run of {pipeline_uuid} {result["status"]}: pipewright runs {pipeline_uuid} shows it')
    return result
