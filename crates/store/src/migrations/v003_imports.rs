//! Version 3: the uploaded file of an import job, kept (decoded, as JSON rows)
//! between the dry run and the commit, so the user can change the mapping and
//! commit later without uploading again.

use crate::schema::{Change, index, table};

pub(super) fn changes() -> Vec<Change> {
    vec![
        table("import_file").fk("import_job_id", "import_job", false).text("content").timestamp("created_at").create(),
        index("ix_import_file_job", "import_file", &["import_job_id"]),
    ]
}
