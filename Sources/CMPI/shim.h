// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are macros that take the
// address of global structs, which Swift cannot import; these accessors return them.
// No other logic belongs here.
#include <mpi.h>

static inline MPI_Comm imgclf_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype imgclf_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype imgclf_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype imgclf_int(void) { return MPI_INT; }
static inline MPI_Datatype imgclf_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Datatype imgclf_byte(void) { return MPI_BYTE; }
static inline MPI_Op imgclf_op_sum(void) { return MPI_SUM; }
static inline MPI_Op imgclf_op_max(void) { return MPI_MAX; }
static inline MPI_Op imgclf_op_min(void) { return MPI_MIN; }
static inline MPI_Op imgclf_op_no_op(void) { return MPI_NO_OP; }
static inline MPI_Errhandler imgclf_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Info imgclf_info_null(void) { return MPI_INFO_NULL; }
static inline void *imgclf_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Win imgclf_win_null(void) { return MPI_WIN_NULL; }
static inline MPI_Request imgclf_request_null(void) { return MPI_REQUEST_NULL; }
